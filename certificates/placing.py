"""Placing eligibles and previewing certificates (rules 29-42; ADR 0015 step 4): reads only.

A certificate is issued for one *slot*: an agency, a duty location and a grade. A single-agency action
has a slot per grade and duty location of the action, all the lead agency's. A pooled action has a slot
per vacancy row of each participating agency, and each slot's certificate lists only the applicants who
accepted that agency and location (`ApplicationPlace`), at that grade if it lies in their range.

The order of work for one slot: place every eligible at the slot's grade (`placements`), keep those who
accepted the slot's place, then decide the categories (`rules.certificate_list`). Rule 40's merge is
therefore decided per certificate: a short Best Qualified list at one agency does not merge at another.
Issuing (`certificates.issuing`) places again under its locks.
"""

import hashlib
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count

from assessments.models import Interview
from hiring.models import Application, AuditEvent, HiringAction
from hiring.models.pools import ApplicationPlace, Vacancy
from hiring.workflow import Status

from . import grades, rules
from .grade_checks import tig_ok_by_application
from .models import Certificate

# Why an eligible cannot be placed yet: a preference claim not adjudicated (rule 31), or a grade in their
# range whose 52 weeks HR has not checked (rule 42). Either blocks issuing that certificate.
PREFERENCE = "preference"
TIME_IN_GRADE = "time_in_grade"


def round_scores(action: HiringAction) -> dict[int, list[int | None]]:
    """Each application's accepted interview scores by round (rule 29 transmutes them)."""
    from assessments.interviews import rounds_of

    rounds = rounds_of(action)
    scores: dict[int, list[int | None]] = {}
    for application_id, round_, score in Interview.objects.filter(action=action, state=Interview.State.ACCEPTED).values_list(
        "application_id", "round", "score"
    ):  # fmt: skip
        scores.setdefault(application_id, [None] * len(rounds))[round_ - 1] = score
    return scores


class Waiting(NamedTuple):
    """An applicant who cannot be placed yet, and why (PREFERENCE or TIME_IN_GRADE)."""

    pk: int
    applicant_name: str
    reason: str = PREFERENCE


class Slot(NamedTuple):
    """What one original certificate is for. `vacancies` is 0 on a single-agency action (its count is
    the action's, not the certificate's)."""

    agency_id: int
    agency_name: str
    duty_location: str
    grade: int
    vacancies: int = 0

    @property
    def query(self) -> str:
        """The page's query string that previews this slot."""
        from urllib.parse import urlencode

        return urlencode({"agency": self.agency_id, "location": self.duty_location, "grade": self.grade})


def slots(action: HiringAction) -> list[Slot]:
    """Every certificate the action can issue, in the order HR's page lists them (one query)."""
    if action.is_pooled:
        return [
            Slot(agency_id, name, location, grade, count)
            for agency_id, name, location, grade, count in Vacancy.objects.filter(participant__action=action)
            .order_by("participant__agency__name", "duty_location", "grade")
            .values_list(
                "participant__agency_id", "participant__agency__name", "duty_location", "grade", "count"
            )
        ]
    agency = action.agency
    return [
        Slot(agency.pk, agency.name, location, grade)
        for location in action.duty_locations or []
        for grade in sorted(action.grades or [])
    ]


def is_multi_grade(action: HiringAction) -> bool:
    return len(set(action.grades or [])) > 1


class Reads(NamedTuple):
    """What placing reads of an action, once: each eligible's (pk, name, claim, adjudicated preference,
    lowest grade), their accepted round scores, and HR's time-in-grade answers."""

    rows: list[tuple]
    scores: dict[int, list[int | None]]
    checks: dict[int, dict[int, bool]]


def reads(action: HiringAction) -> Reads:
    """Three or four queries: the qualified applications (with adjudications), their accepted interview
    scores (and the action's rounds), and on a multi-grade action the time-in-grade checks."""
    rows = list(
        Application.objects.filter(
            action=action, status__in=[Status.QUALIFIED, Status.REFERRED, Status.NOT_REFERRED]
        )
        .values_list("pk", "applicant_name", "preference_claim", "adjudication__preference", "lowest_grade")
        .order_by("pk")
    )
    # The lowest grade needs no check, and every grade passes when HR turned the check off (grade_checks).
    checks = tig_ok_by_application(action, [row[0] for row in rows]) if is_multi_grade(action) else {}
    return Reads(rows, round_scores(action), checks)


def placements(
    action: HiringAction, grade: int | None = None, read: Reads | None = None
) -> tuple[list[rules.Placement], list[Waiting]]:
    """Every eligible at `grade` (default: the action's lowest) placed and ordered (rules 29-35), and
    those who cannot be placed yet (an unadjudicated non-NV claim, or an unchecked time in grade).

    On a multi-grade action an eligible is placed at `grade` only if it lies in their certified range
    (rule 42, DEOH pp. 6-5-6-7): at or above the lowest grade they accept, at or below the highest their
    final score reaches (`HiringAction.grade_scores`, §1.1), and with 52 weeks at the grade below
    verified by HR (§1.9, usds/SME-QA-Website#291). The GS-9 float exception is judged at `grade`.

    Reads plain values, not model instances (`reads`, or `read` when the caller places several grades),
    so 50,000 are placed in well under the 2 s issue 7 allows (bench/category_rating.py).
    """
    grades_of_action = sorted(set(action.grades or []))
    if grade is None:
        grade = grades_of_action[0] if grades_of_action else 0
    rows, scores, checks = read or reads(action)
    multi = is_multi_grade(action)
    if multi:
        required = action.scores_by_grade
        any_grade = dict.fromkeys(grades_of_action, True)
    waiting, eligibles = [], []
    for pk, name, claim, adjudicated, lowest in rows:
        score = rules.final_score(scores.get(pk, []))
        if multi:
            highest = grades.highest_grade_qualified(score, required)
            if grade not in grades.certified_grades(lowest, highest, grades_of_action, any_grade):
                continue  # outside the range they accept or qualify for: not on this grade's list
            meets = checks.get(pk, {}).get(grade)
            if meets is None:
                waiting.append(Waiting(pk, name, TIME_IN_GRADE))
                continue
            if not meets:
                continue  # HR found under 52 weeks at the grade below (5 CFR 300.604)
        if adjudicated is None and claim != rules.NV:
            waiting.append(Waiting(pk, name, PREFERENCE))
            continue
        if score is None:
            continue
        eligibles.append(rules.Eligible(pk, name, score, adjudicated or rules.NV))
    placed = rules.place(
        eligibles, best_min=action.best_qualified_min, well_min=action.well_qualified_min,
        qualified_min=action.qualified_min, scientific_professional=action.scientific_professional,
        grade=grade,
    )  # fmt: skip
    return placed, waiting


def accepted_places(action: HiringAction) -> dict[tuple[int, str], set[int]]:
    """On a pooled action, the applications that accept each (agency, duty location) (one query)."""
    found: dict[tuple[int, str], set[int]] = {}
    for application_id, agency_id, location in ApplicationPlace.objects.filter(
        application__action=action
    ).values_list("application_id", "participant__agency_id", "duty_location"):
        found.setdefault((agency_id, location), set()).add(application_id)
    return found


Preview = tuple[rules.CertificateList, list[rules.Placement], list[Waiting]]


def _for_place(placed: list[rules.Placement], waiting: list[Waiting], accepted: set[int] | None) -> Preview:
    if accepted is not None:
        # §3.5 and DEOH p. 6-7: only those who said they would take this agency and location.
        placed = [p for p in placed if p.key in accepted]
        waiting = [w for w in waiting if w.pk in accepted]
    listed = rules.certificate_list(placed)  # rule 40, per certificate
    keys = {p.key for p in listed.names}
    return listed, [p for p in placed if p.key not in keys], waiting


def preview(action: HiringAction, slot: Slot | None = None) -> Preview:
    """What issuing `slot`'s certificate would list now (rule 40: merging can lift a lower category's
    preference eligibles above a higher category's others), who it would leave out, and who still waits.
    Without a slot: the action's first (a single-agency action's lowest grade)."""
    slot = slot or next(iter(slots(action)), None)
    if slot is None:
        return rules.certificate_list([]), [], []
    placed, waiting = placements(action, slot.grade)
    accepted = None
    if action.is_pooled:
        accepted = set(
            ApplicationPlace.objects.filter(
                application__action=action,
                participant__agency_id=slot.agency_id,
                duty_location=slot.duty_location,
            ).values_list("application_id", flat=True)
        )
    return _for_place(placed, waiting, accepted)


class SlotSummary(NamedTuple):
    slot: Slot
    listed: int
    waiting: int
    certificate: Certificate | None


class Page(NamedTuple):
    """HR's certificate page: every slot with how many names its certificate would list and how many
    wait (or the original already issued for it), the slot previewed, and its preview."""

    rows: list[SlotSummary]
    slot: Slot | None
    preview: Preview


def page(action: HiringAction, wanted: tuple[str, str, str] = ("", "", "")) -> Page:
    """Every slot summarized, and the one named by `wanted` (agency id, location, grade as typed in the
    query string; else the first not yet issued that would list someone, else the first not yet issued,
    else the first) previewed. Placement runs once per
    grade over one `reads`: a constant number of queries at any size (tests/test_query_counts.py)."""
    issued = {
        (c.agency_id, c.duty_location, c.grade): c
        for c in Certificate.objects.filter(action=action, source__isnull=True).annotate(
            names=Count("entries")
        )
    }
    accepted = accepted_places(action) if action.is_pooled else None
    by_grade: dict[int, tuple[list[rules.Placement], list[Waiting]]] = {}

    read: Reads | None = None

    def previewed(slot: Slot) -> Preview:
        nonlocal read
        if slot.grade not in by_grade:
            read = read or reads(action)
            by_grade[slot.grade] = placements(action, slot.grade, read)
        place = None if accepted is None else accepted.get((slot.agency_id, slot.duty_location), set())
        return _for_place(*by_grade[slot.grade], place)

    rows = []
    for slot in slots(action):
        certificate = issued.get((slot.agency_id, slot.duty_location, slot.grade))
        if certificate is not None:
            rows.append(SlotSummary(slot, 0, 0, certificate))
            continue
        listed, _, waiting = previewed(slot)
        rows.append(SlotSummary(slot, len(listed.names), len(waiting), None))
    chosen = next(
        (r.slot for r in rows if (str(r.slot.agency_id), r.slot.duty_location, str(r.slot.grade)) == wanted),
        None,
    ) or next(
        (r.slot for r in rows if r.certificate is None and r.listed),
        next((r.slot for r in rows if r.certificate is None), rows[0].slot if rows else None),
    )
    if chosen is None:
        return Page(rows, None, (rules.certificate_list([]), [], []))
    return Page(rows, chosen, previewed(chosen))


PREVIEW_SECONDS = 600


def _cache_key(action: HiringAction, what: str, *parts: object) -> str:
    """A key naming the data a preview was computed from.

    Every change that can move a name (a status, an accepted score sheet, an adjudication, a time-in-grade
    check, a choice of places at apply) writes an audit row of the action in its own transaction, so the
    action's latest audit row id, read *before* the placements, names the data they were computed from;
    the action's own cut-offs, grades and per-grade scores are in the key too. A change committed between
    the two reads is stored under the older key and recomputed at the next view.
    """
    latest = AuditEvent.objects.filter(action=action).order_by("-id").values_list("id", flat=True).first()
    parts_of_key = (
        action.pk, action.created_at.timestamp(), latest, action.best_qualified_min, action.well_qualified_min,
        action.qualified_min, action.scientific_professional, action.grades, action.grade_scores,
        action.time_in_grade_applies, parts,
    )  # fmt: skip
    # Hashed: a location or agency name has spaces, which some cache backends refuse in keys.
    return what + ":" + hashlib.sha256(repr(parts_of_key).encode()).hexdigest()


def _cached(key: str, compute):
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, PREVIEW_SECONDS)
    return found


def preview_cached(action: HiringAction, slot: Slot | None = None) -> Preview:
    """`preview` for HR's certificate page, kept until anything it depends on changes.

    Placing 2,000 qualified applicants out of 50,000 is about 40 ms (bench/run.py), on every view of the
    page. Issuing never uses this: it places again under its locks.
    """
    return _cached(_cache_key(action, "certificate-preview", *(slot or ())), lambda: preview(action, slot))


def page_cached(action: HiringAction, wanted: tuple[str, str, str] = ("", "", "")) -> Page:
    """`page` for HR's certificate page, on the same key scheme as `preview_cached`."""
    return _cached(_cache_key(action, "certificate-page", wanted), lambda: page(action, wanted))
