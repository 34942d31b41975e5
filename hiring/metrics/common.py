"""What both dashboards share: the targets with their sources, tables and charts, and business days."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from ..rules import add_business_days, business_days_between
from ..workflow import Phase

LATE_LIMIT = 50

# --- targets (domain-research §1.3 and §5.1) ----------------------------------------------------------

CALENDAR, BUSINESS = "calendar", "business"


@dataclass(frozen=True)
class Target:
    days: int
    unit: str  # CALENDAR or BUSINESS
    source: str


# SMEQA's 8-week plan (planning-your-timeline.html): W1 job analysis; W2-3 prepare and post the
# announcement; resume review 5 business days (resume-review/training.md); assessments over about three
# weeks (selecting-smes.md: "assessments over 2-3 weeks"); the pilots' first selections 11-16 days after
# the certificate against a 37-day governmentwide baseline (SMEQA-case p.16), so 16 days.
PHASE_TARGETS: dict[str, Target] = {
    Phase.JOB_ANALYSIS: Target(7, CALENDAR, "SMEQA plan, week 1 (planning-your-timeline)"),
    Phase.ANNOUNCEMENT: Target(
        14, CALENDAR, "SMEQA plan, weeks 2-3: prepare and post (planning-your-timeline)"
    ),
    Phase.RESUME_REVIEW: Target(5, BUSINESS, "5 business days for SMEs (resume-review/training.md)"),
    Phase.ASSESSMENTS: Target(21, CALENDAR, "about 3 weeks of interviews (selecting-smes.md)"),
    Phase.CERTIFICATE: Target(
        16, CALENDAR, "first selections 11-16 days after the certificate; baseline 37 (SMEQA-case p.16)"
    ),
}
# Late work: an SME's resume review is due 5 business days after it is assigned (resume-review/
# training.md); a score sheet by the end of the next business day after the interview
# (interviewing-applicants.md); a candidate who has heard nothing for 14 days (OPM: applicants typically
# hear something 15-30 days after closing, §4.1; issue 9 sets 14).
REVIEW_DUE_BUSINESS_DAYS = 5
SHEET_DUE_BUSINESS_DAYS = 1
SILENCE_DAYS = 14

# Across actions: the OPM 80-day model's measures that our data records (§5.1) and their targets.
# Posting to certificate: SMEQA "under 6 weeks is possible" (planning-your-timeline). Certificate issued
# to returned: OPM roadmap 15 days (DOI's goal 16). Action created to first selection: SMEQA's 8 weeks
# from the job analysis workshop to selections (getting-started index).
OPEN_TO_CERTIFICATE = Target(42, CALENDAR, "SMEQA: posting to certificate under 6 weeks")
CERTIFICATE_TO_RETURN = Target(15, CALENDAR, "OPM 80-day roadmap: 15 days (DOI goal 16)")
CREATED_TO_SELECTION = Target(56, CALENDAR, "SMEQA: 8 weeks from job analysis to selections")
# Notices (§4.1, rule 63; DEOH pp. 3-9-3-10): receipt within 5 business days of applying; non-selection
# within 10 business days of the selectee accepting.
RECEIPT_DUE_BUSINESS_DAYS = 5
NON_SELECTION_DUE_BUSINESS_DAYS = 10

# SME hours, an ESTIMATE: SMEQA's reference effort (§1.3, estimating-time-commitment.md) for 150
# applicants and 8 SMEs is ~5 h of resume review per SME, i.e. 40 h for 300 reviews = 8 minutes a
# review; interviews were budgeted at 2 h of SME time each (SMEQA-case p.18); job analysis 16 h and
# training 5 h per SME on the action.
MINUTES_PER_REVIEW = 8
HOURS_PER_INTERVIEW = 2
HOURS_PER_SME = 16 + 5


@dataclass
class Table:
    """One table of numbers: drawn on the page and downloaded as CSV (`key`.csv)."""

    key: str
    caption: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    total: int | None = None  # for a bounded list: how many there are in all

    @property
    def cells(self) -> list[list[tuple[str, Any]]]:
        """Each row's cells with their column header, for the stacked table's labels."""
        return [list(zip(self.headers, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    late: bool = False
    note: str = ""


@dataclass
class Chart:
    """A horizontal bar chart drawn server-side as SVG (templates/hiring/dashboards/_chart.html)."""

    id: str
    title: str
    desc: str
    unit: str
    bars: list[Bar]
    target: float | None = None
    target_label: str = ""

    WIDTH, LABEL, AREA, ROW = 720, 260, 360, 30

    @property
    def scale(self) -> float:
        values = [b.value for b in self.bars if b.value is not None]
        return max([*values, self.target or 0, 1])

    @property
    def height(self) -> int:
        return self.ROW * len(self.bars) + 30

    def drawn(self) -> list[dict]:
        out = []
        for i, bar in enumerate(self.bars):
            width = 0.0 if bar.value is None else self.AREA * bar.value / self.scale
            unit = self.unit[:-1] if bar.value == 1 and self.unit.endswith("s") else self.unit
            value = "no data" if bar.value is None else f"{number_text(bar.value)} {unit}"
            out.append(
                {
                    "y": 10 + i * self.ROW,
                    "text_y": 10 + i * self.ROW + 19,
                    "width": round(width, 1),
                    "value_x": round(self.LABEL + width + 6, 1),
                    "label": bar.label,
                    "value": value + (" (late)" if bar.late else ""),
                    "late": bar.late,
                }
            )
        return out

    @property
    def target_x(self) -> float | None:
        return None if self.target is None else round(self.LABEL + self.AREA * self.target / self.scale, 1)


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# --- dates --------------------------------------------------------------------------------------------


def late_if_started_before(today: date, business_days: int) -> datetime:
    """The start of the earliest local day d with add_business_days(d, n) >= today: work started
    before it is past its due date (due d + n business days, late from the day after)."""
    day = today
    while add_business_days(day - timedelta(days=1), business_days) >= today:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


def elapsed(start: datetime, end: datetime, unit: str) -> float:
    if unit == BUSINESS:
        return business_days_between(timezone.localdate(start), timezone.localdate(end))
    return round((end - start).total_seconds() / 86400, 1)


def day_text(value: datetime | None) -> str:
    return "" if value is None else timezone.localdate(value).isoformat()


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}%"
