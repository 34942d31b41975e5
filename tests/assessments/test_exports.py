"""The resume-review exports: the USA Staffing import CSV (same columns as the import, ELSM / IQSM) and
the audit CSV (every review, return and recusal), neutralised against CSV injection, in a fixed number
of queries; and the export_usas command that writes them."""

import csv
import io

import pytest
from django.core.management import ManagementUtility, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import exports, rules, services
from assessments.models import Recusal, ResumeReview
from hiring import services as hiring_services
from hiring.imports.usas import COLUMNS, parse_usas_csv
from hiring.models import AuditEvent, Role
from hiring.workflow import Actor, Phase, Status
from tests.factories import (
    ActionRoleFactory,
    ApplicationFactory,
    CompetencyFactory,
    HiringActionFactory,
    RecusalFactory,
    ResumeReviewFactory,
    UserFactory,
    start_resume_review,
)

pytestmark = pytest.mark.django_db
RR = ResumeReview.State
HOSTILE_NAME = '=HYPERLINK("http://evil.test","open") Mallory'
HOSTILE_JUSTIFICATION = '=HYPERLINK("http://evil.test","x") The resume shows no research at the level.'
HOSTILE_RECUSAL_NOTE = "@SUM(1+1) is my neighbour."
HOSTILE_HR_NOTE = "=1+1 Name the competency that is missing."


def usas_import(rows: list[dict[str, str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def usas_row(number: str, last: str, first: str, middle: str = "") -> dict[str, str]:
    return {
        "Vacancy ID": "123456",
        "Assessment ID": "7890",
        "Application ID": f"9{number}",
        "Application Rating ID": f"8{number}",
        "Applicant Last Name": last,
        "Applicant First Name": first,
        "Applicant Middle Name": middle,
        "Application Number": number,
        "Rating Combination": "2210-13(INFOSEC)",
        "Assessment Rating": "",
        "Minimum Qualifications Rating": "",
        "USAJOBS Applicant GUID": f"guid-{number}",
    }


def live(application, slot: int) -> ResumeReview:
    return ResumeReview.objects.exclude(state=RR.WITHDRAWN).get(application=application, slot=slot)


def submit(review: ResumeReview, decision: str, justification: str = "") -> ResumeReview:
    review.refresh_from_db()
    competencies = list(review.action.competencies.order_by("order", "id"))
    ratings = {str(c.pk): rules.MEETS for c in competencies}
    if decision == rules.DOES_NOT_MOVE_FORWARD:
        ratings[str(competencies[0].pk)] = rules.NOT_MET
        justification = justification or "The resume shows no research at the required level."
    return services.resume_review_save(
        review_id=review.pk, sme=review.sme, version=review.version, ratings=ratings, experience_met=True,
        recency_met=None, justification=justification, submit=True,
    )  # fmt: skip


def accept(review: ResumeReview, hr) -> ResumeReview:
    review.refresh_from_db()
    return services.resume_review_accept(review_id=review.pk, actor=hr, version=review.version)


def settle(application, hr, *decisions: str) -> None:
    """Submit the first two reviews (and the tiebreak, if a third decision is given), accept them all
    and send the result."""
    for slot, decision in enumerate(decisions, start=1):
        accept(submit(live(application, slot), decision), hr)
    services.resume_result_send(application_id=application.pk, actor=hr)


@pytest.fixture
def phase(db):
    """A resume review run through the services: 6 applicants (2 applied here, 4 imported from USA
    Staffing), 3 SMEs, a recusal at the conflict check and one mid-review, a split settled by a
    tiebreaker, a returned review, results sent, one applicant in round 1 and one withdrawn."""
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    CompetencyFactory(action=action, name="Research", order=1)
    CompetencyFactory(action=action, name="-Delivery", order=2)
    ada = ApplicationFactory(action=action, candidate=UserFactory(full_name="Ada King Lovelace"))
    evil = ApplicationFactory(action=action, candidate=UserFactory(full_name=HOSTILE_NAME))
    text = usas_import(
        [
            usas_row("1001", "Hopper", "Grace", "Murray"),
            usas_row("1002", "@SUM(A1)", "+1 Kim", "-2"),
            usas_row("1003", "Turing", "Alan", "Mathison"),
            usas_row("1004", "Liskov", "Barbara"),
        ]
    )
    hiring_services.applications_import_usas(action=action, actor=hr, rows=parse_usas_csv(text))
    imported = {a.external_number: a for a in action.applications.exclude(external_number="")}
    grace, kim, alan, barbara = (imported[n] for n in ("1001", "1002", "1003", "1004"))
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(3)]
    start_resume_review(action)
    services.conflict_check_complete(
        action_id=action.pk, sme=smes[2], recusals={ada.pk: ("personal", HOSTILE_RECUSAL_NOTE)}
    )
    for sme in smes[:2]:
        services.conflict_check_complete(action_id=action.pk, sme=sme, recusals={})
    hiring_services.screening_release(action_id=action.pk, actor=hr)

    settle(ada, hr, rules.MOVE_FORWARD, rules.MOVE_FORWARD)
    for slot in (1, 2):
        accept(submit(live(evil, slot), rules.DOES_NOT_MOVE_FORWARD, HOSTILE_JUSTIFICATION), hr)
    services.resume_result_send(application_id=evil.pk, actor=hr)
    settle(grace, hr, rules.MOVE_FORWARD, rules.DOES_NOT_MOVE_FORWARD, rules.MOVE_FORWARD)

    returned = submit(live(kim, 1), rules.DOES_NOT_MOVE_FORWARD, "+1 year short: no research shown.")
    services.resume_review_return(
        review_id=returned.pk, actor=hr, version=returned.version, note=HOSTILE_HR_NOTE
    )
    settle(kim, hr, rules.DOES_NOT_MOVE_FORWARD, rules.DOES_NOT_MOVE_FORWARD)

    recusing = live(alan, 1)
    services.recusal_declare(review_id=recusing.pk, sme=recusing.sme, reason="other", note="")

    settle(barbara, hr, rules.MOVE_FORWARD, rules.MOVE_FORWARD)
    hiring_services.application_transition(
        application_id=barbara.pk, to_status=Status.WITHDRAWN, actor=hr, actor_role=Actor.HR, reason="test"
    )
    # Closing resume review needs every applicant settled: Alan, still unreviewed, withdraws first.
    hiring_services.application_transition(
        application_id=alan.pk, to_status=Status.WITHDRAWN, actor=hr, actor_role=Actor.HR, reason="test"
    )
    action = hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
    )
    hiring_services.application_transition(
        application_id=ada.pk, to_status=Status.IN_ROUND_1, actor=None, actor_role=Actor.SYSTEM, reason="test"
    )
    return {
        "action": action,
        "hr": hr,
        "smes": smes,
        "ada": ada,
        "evil": evil,
        "grace": grace,
        "kim": kim,
        "alan": alan,
        "barbara": barbara,
        "returned": returned,
        "recusing": recusing,
    }


def dict_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def every_cell(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


# --- rules of the export -------------------------------------------------------------------------


def test_every_status_after_moved_forward_passed_resume_review():
    passed = {
        Status.MOVED_FORWARD,
        Status.IN_ROUND_1,
        Status.IN_ROUND_2,
        Status.FAILED_ASSESSMENT,
        Status.NO_RESPONSE,
        Status.QUALIFIED,
        Status.REFERRED,
        Status.NOT_REFERRED,
        Status.SELECTED,
        Status.NOT_SELECTED,
    }
    assert passed == exports.PASSED_RESUME_REVIEW


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ada King Lovelace", ("Ada", "King", "Lovelace")),
        ("Grace Hopper", ("Grace", "", "Hopper")),
        ("  Mary  Ann  de  Souza ", ("Mary", "Ann de", "Souza")),
        ("Prince", ("", "", "Prince")),
        ("", ("", "", "")),
    ],
)
def test_a_full_name_splits_into_first_middle_and_last(name, parts):
    assert exports.split_name(name) == parts


# --- USA Staffing import -------------------------------------------------------------------------


def test_the_usas_csv_has_the_import_columns_and_one_code_per_sent_result(phase):
    header, rows = dict_rows(exports.usas_resume_review_csv(phase["action"]))
    assert header == list(COLUMNS)
    codes = {row["Application Number"]: row["Minimum Qualifications Rating"] for row in rows}
    assert codes == {
        f"SMEQA-{phase['ada'].pk}": "ELSM",  # moved on to round 1: still passed resume review
        f"SMEQA-{phase['evil'].pk}": "IQSM",
        "1001": "ELSM",  # a split settled by the tiebreaker
        "1002": "IQSM",
        "1004": "ELSM",  # withdrew after the result was sent
    }  # 1003 is still in review: no result, no row
    assert all(row["Assessment Rating"] == "" for row in rows)


def test_imported_rows_keep_usa_staffings_columns_and_names_are_split_for_the_others(phase):
    _, rows = dict_rows(exports.usas_resume_review_csv(phase["action"]))
    by_number = {row["Application Number"]: row for row in rows}
    assert by_number["1001"] == usas_row("1001", "Hopper", "Grace", "Murray") | {
        "Minimum Qualifications Rating": "ELSM"
    }
    ada = by_number[f"SMEQA-{phase['ada'].pk}"]
    assert (ada["Applicant First Name"], ada["Applicant Middle Name"], ada["Applicant Last Name"]) == (
        "Ada",
        "King",
        "Lovelace",
    )
    assert ada["Vacancy ID"] == ada["USAJOBS Applicant GUID"] == ""


def test_cells_that_would_run_as_formulas_get_a_leading_quote_and_keep_their_text(phase):
    usas = exports.usas_resume_review_csv(phase["action"])
    audit = exports.resume_review_audit_csv(phase["action"])
    _, rows = dict_rows(usas)
    by_number = {row["Application Number"]: row for row in rows}
    evil = by_number[f"SMEQA-{phase['evil'].pk}"]
    assert evil["Applicant First Name"] == "'" + HOSTILE_NAME.split()[0]
    kim = by_number["1002"]
    assert (kim["Applicant First Name"], kim["Applicant Middle Name"], kim["Applicant Last Name"]) == (
        "'+1 Kim",
        "'-2",
        "'@SUM(A1)",
    )
    header, audit_rows = dict_rows(audit)
    assert "'-Delivery" in header
    justifications = {row["Justification"] for row in audit_rows if row["Applicant"] == "'" + HOSTILE_NAME}
    assert justifications == {"'" + HOSTILE_JUSTIFICATION}
    assert {row["HR note"] for row in audit_rows if row["Record"] == "return"} == {"'" + HOSTILE_HR_NOTE}
    for cell in every_cell(usas) + every_cell(audit):
        assert cell[:1] not in {"=", "+", "-", "@", "\t", "\r"}, cell


def test_the_usas_csv_reads_back_through_the_import(phase):
    text = exports.usas_resume_review_csv(phase["action"])
    rows = parse_usas_csv(text)
    assert [row.application_number for row in rows] == [
        f"SMEQA-{phase['ada'].pk}",
        f"SMEQA-{phase['evil'].pk}",
        "1001",
        "1002",
        "1004",
    ]
    assert rows[2].columns["Minimum Qualifications Rating"] == "ELSM"
    assert rows[2].applicant_name == "Grace Murray Hopper"
    # And it imports into another action as five applicants.
    other = HiringActionFactory()
    other_hr = ActionRoleFactory(action=other, role=Role.HR).user
    result = hiring_services.applications_import_usas(action=other, actor=other_hr, rows=rows)
    assert result.created == 5


def test_an_action_with_no_results_yet_exports_only_the_heading(phase):
    other = HiringActionFactory()
    ApplicationFactory(action=other)
    assert exports.usas_resume_review_csv(other) == ",".join(COLUMNS) + "\r\n"


def _sent_results(count: int):
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    applications = [ApplicationFactory(action=action) for _ in range(count)]
    start_resume_review(action)
    hiring_services.screening_release(action_id=action.pk, actor=hr)
    for index, application in enumerate(applications):
        to = Status.MOVED_FORWARD if index % 2 else Status.DID_NOT_MOVE_FORWARD
        hiring_services.application_transition(
            application_id=application.pk, to_status=to, actor=hr, actor_role=Actor.SYSTEM, reason="test"
        )
    hiring_services.application_transition(
        application_id=applications[1].pk, to_status=Status.WITHDRAWN, actor=hr, actor_role=Actor.HR
    )
    return action, applications


def _queries(export, action) -> int:
    with CaptureQueriesContext(connection) as captured:
        export(action)
    return len(captured)


def test_the_usas_export_takes_one_query_for_3_or_30_applicants(db):
    small, _ = _sent_results(3)
    large, _ = _sent_results(30)
    assert (
        _queries(exports.usas_resume_review_csv, small)
        == _queries(exports.usas_resume_review_csv, large)
        == 1
    )
    assert len(dict_rows(exports.usas_resume_review_csv(large))[1]) == 30


def test_the_audit_export_takes_the_same_queries_for_3_or_30_applicants(db):
    def build(count: int):
        action, applications = _sent_results(count)
        CompetencyFactory(action=action)
        sme = ActionRoleFactory(action=action, role=Role.SME).user
        hr = ActionRoleFactory(action=action, role=Role.HR).user
        for application in applications:
            ResumeReviewFactory(application=application, sme=sme, state=RR.ACCEPTED, accepted_by=hr)
            RecusalFactory(application=application, sme=UserFactory())
            AuditEvent.objects.create(
                actor=hr, actor_role=Actor.HR, subject=AuditEvent.Subject.RESUME_REVIEW, action=action,
                application=application, from_state=RR.SUBMITTED, to_state=RR.RETURNED,
                reason=f"Returned to {sme}: fix it.",
            )  # fmt: skip
        return action

    small, large = build(3), build(30)
    assert _queries(exports.resume_review_audit_csv, small) == _queries(
        exports.resume_review_audit_csv, large
    )
    assert _queries(exports.resume_review_audit_csv, large) <= 4
    assert len(dict_rows(exports.resume_review_audit_csv(large))[1]) == 90


# --- audit ---------------------------------------------------------------------------------------


def test_the_audit_csv_has_every_review_return_and_recusal(phase):
    header, rows = dict_rows(exports.resume_review_audit_csv(phase["action"]))
    assert header[:8] == list(exports.AUDIT_LEAD)
    assert header[8:10] == ["Research", "'-Delivery"]
    assert header[10:] == list(exports.AUDIT_TAIL)
    records = [row["Record"] for row in rows]
    assert records.count("review") == ResumeReview.objects.filter(action=phase["action"]).count() == 14
    assert records.count("return") == 1
    assert records.count("recusal") == 2

    withdrawn = [r for r in rows if r["Record"] == "review" and r["State"] == "Reassigned"]
    assert len(withdrawn) == 1
    assert withdrawn[0]["Application Number"] == "1003"
    assert withdrawn[0]["SME email"] == phase["recusing"].sme.email

    tiebreak = next(r for r in rows if r["Application Number"] == "1001" and r["Review"] == "Tiebreak")
    assert (tiebreak["Decision"], tiebreak["Research"], tiebreak["'-Delivery"]) == (
        "Move Forward",
        "Meets",
        "Meets",
    )
    assert tiebreak["State"] == "Accepted by HR" and tiebreak["52 weeks met"] == "Yes"
    assert tiebreak["Accepted by"] == f"{phase['hr'].full_name} ({phase['hr'].email})"
    assert tiebreak["Assigned at"] and tiebreak["Submitted at"] and tiebreak["Accepted at"]

    returned = next(r for r in rows if r["Record"] == "return")
    assert returned["Application Number"] == "1002" and returned["Review"] == "First"
    assert returned["SME email"] == phase["returned"].sme.email
    assert returned["Recorded by"] == f"{phase['hr'].full_name} ({phase['hr'].email})"
    assert returned["Recorded at"]

    recusals = {r["Application Number"]: r for r in rows if r["Record"] == "recusal"}
    ada = recusals[f"SMEQA-{phase['ada'].pk}"]
    assert ada["SME email"] == phase["smes"][2].email
    assert ada["Reason"] == "Personal relationship outside work"
    assert ada["Note"] == "'" + HOSTILE_RECUSAL_NOTE
    assert recusals["1003"]["Reason"] == "Other reason (appearance of bias)"
    # Rows are grouped by applicant: reviews first, then returns, then recusals.
    kim = [r["Record"] for r in rows if r["Application Number"] == "1002"]
    assert kim == ["review", "review", "return"]


# --- downloaded by HR through the page and read back ----------------------------------------------

# Every first character a spreadsheet may run as a formula (OWASP CSV injection; ASVS 5.0 1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
# What can be stored: PostgreSQL refuses NUL in text (and the import refuses it), so no export meets one.
STORED_STARTS = FORMULA_STARTS[:-1]


def hostile(start: str, where: str) -> str:
    return f'{start}HYPERLINK("http://evil.test/?{where}","open")'


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_csv_safe_quotes_each_formula_start_and_the_cell_reads_back(start):
    value = hostile(start, "rule")
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow([rules.csv_safe(value), "next"])

    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [["'" + value, "next"]]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("Grace Hopper", "Grace Hopper"),
        ("O'Brien", "O'Brien"),
        ("2210-13(INFOSEC)", "2210-13(INFOSEC)"),
        ("person@example.gov", "person@example.gov"),
        (13, "13"),
        (None, ""),
        ("", ""),
        # OWASP: a text cell such as a name starting with "-" keeps a visible quote rather than run.
        ("-Smith", "'-Smith"),
        (-3, "'-3"),
    ],
)
def test_csv_safe_on_ordinary_values(value, cell):
    assert rules.csv_safe(value) == cell


def downloaded(client, phase, kind: str) -> list[list[str]]:
    """The export as HR gets it from the dashboard's link, parsed as a spreadsheet import would."""
    client.force_login(phase["hr"])
    response = client.get(
        reverse("assessments:hr_resume_review_export", kwargs={"pk": phase["action"].pk, "kind": kind})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))


def assert_nothing_runs(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_STARTS, repr(cell)


def test_usas_download_neutralises_each_formula_start_and_keeps_ordinary_values(client, phase):
    """Hostile text in every USA Staffing column an import carries through, one per formula start that
    can be stored, and the imported "+1 Kim", "-2" and "@SUM(A1)" names. The
    quote goes on text too ("-2" as a middle name): OWASP accepts a visible quote over a cell that runs.
    No column of this file is a number that could be negative."""
    kim = phase["kim"]
    columns = [
        "Vacancy ID",
        "Assessment ID",
        "Application ID",
        "Application Rating ID",
        "Rating Combination",
        "USAJOBS Applicant GUID",
    ]
    planted = {column: hostile(start, column) for column, start in zip(columns, STORED_STARTS, strict=True)}
    kim.external_data = kim.external_data | planted
    kim.save(update_fields=["external_data"])

    rows = downloaded(client, phase, "usas")

    assert rows[0] == list(COLUMNS)
    by_number = {
        row[COLUMNS.index("Application Number")]: dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]
    }
    for column, value in planted.items():
        assert by_number["1002"][column] == "'" + value, column
    assert by_number["1002"]["Applicant First Name"] == "'+1 Kim"
    assert by_number["1002"]["Applicant Middle Name"] == "'-2"
    assert by_number["1002"]["Applicant Last Name"] == "'@SUM(A1)"
    assert_nothing_runs(rows)
    # Ordinary values come back exactly: digits, a hyphen inside a value, names, codes.
    assert by_number["1001"] == usas_row("1001", "Hopper", "Grace", "Murray") | {
        "Minimum Qualifications Rating": "ELSM"
    }
    ada = by_number[f"SMEQA-{phase['ada'].pk}"]
    assert [ada["Applicant First Name"], ada["Applicant Middle Name"], ada["Applicant Last Name"]] == [
        "Ada",
        "King",
        "Lovelace",
    ]


def test_audit_download_neutralises_each_formula_start_and_keeps_ordinary_values(client, phase):
    """Hostile text where people type in the audit file: the SME's name, a justification, HR's note, a
    recusal note and a competency's name, one per formula start."""
    action, evil = phase["action"], phase["evil"]
    sme = phase["smes"][0]
    sme.full_name = "-Smith"
    sme.save(update_fields=["full_name"])
    review = live(evil, 1)
    ResumeReview.objects.filter(pk=review.pk).update(
        justification=hostile("\t", "justification"), hr_note=hostile("\r", "hr_note")
    )
    Recusal.objects.filter(application=phase["ada"]).update(note=hostile("+", "recusal"))
    action.competencies.filter(name="Research").update(name=hostile("=", "competency"))
    evil_review_sme = review.sme.email

    rows = downloaded(client, phase, "audit")

    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert "'" + hostile("=", "competency") in header and "'-Delivery" in header
    evil_first = next(
        r
        for r in body
        if r["Record"] == "review"
        and r["SME email"] == evil_review_sme
        and r["Applicant"] == "'" + HOSTILE_NAME
    )
    assert evil_first["Justification"] == "'" + hostile("\t", "justification")
    assert evil_first["HR note"] == "'" + hostile("\r", "hr_note")
    recusal = next(
        r for r in body if r["Record"] == "recusal" and r["Application Number"] == f"SMEQA-{phase['ada'].pk}"
    )
    assert recusal["Note"] == "'" + hostile("+", "recusal")
    assert {r["SME name"] for r in body if r["SME email"] == sme.email} == {"'-Smith"}
    assert_nothing_runs(rows)
    # Ordinary values come back exactly: e-mail addresses (an @ inside), answers, dates, names.
    tiebreak = next(r for r in body if r["Application Number"] == "1001" and r["Review"] == "Tiebreak")
    assert tiebreak["Decision"] == "Move Forward" and tiebreak["52 weeks met"] == "Yes"
    assert tiebreak["Accepted by"] == f"{phase['hr'].full_name} ({phase['hr'].email})"
    assert "@" in tiebreak["SME email"] and not tiebreak["SME email"].startswith("'")
    assert tiebreak["Submitted at"][:2] == "20"
    assert any(r["Applicant"] == "Ada King Lovelace" for r in body)


# --- command -------------------------------------------------------------------------------------


def test_the_command_writes_the_same_text_to_stdout_or_a_file(phase, tmp_path):
    action = phase["action"]
    out = io.StringIO()
    call_command("export_usas", str(action.pk), "resume-review", stdout=out)
    assert out.getvalue() == exports.usas_resume_review_csv(action)
    out = io.StringIO()
    call_command("export_usas", str(action.pk), "resume-review", "--audit", stdout=out)
    assert out.getvalue() == exports.resume_review_audit_csv(action)
    target = tmp_path / "rr.csv"
    out = io.StringIO()
    call_command("export_usas", str(action.pk), "resume-review", "--output", str(target), stdout=out)
    assert target.read_bytes().decode("utf-8") == exports.usas_resume_review_csv(action)
    assert "Wrote 5 rows" in out.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["999999", "resume-review"], "There is no hiring action 999999."),
        (["twelve", "resume-review"], "There is no hiring action twelve."),
        (["{pk}", "interviews"], "There is no export called “interviews”"),
    ],
)
def test_the_command_exits_1_with_a_plain_message(phase, capsys, argv, message):
    argv = [arg.format(pk=phase["action"].pk) for arg in argv]
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "export_usas", *argv]).execute()
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
