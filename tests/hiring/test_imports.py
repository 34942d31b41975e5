"""Imports from USA Staffing and the Assessment Review Tool: all or nothing, safe to repeat, every
problem named by its row or key."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hiring.imports import art, usas
from hiring.imports.usas import ImportRejected, parse_usas_csv
from hiring.models import (
    ActionRole,
    Application,
    AuditEvent,
    Competency,
    HiringAction,
    JobAnalysisVersion,
    Notice,
    Role,
    Source,
    User,
)
from hiring.services.imports import applications_import_usas, hiring_action_import_art
from hiring.workflow import Actor, Phase, Status
from smeqa.errors import DomainError
from tests.factories import AgencyFactory, AgencyRoleFactory, StaffFactory

pytestmark = pytest.mark.django_db

ART_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "art" / "product_manager"
HEADER = [
    "Vacancy ID",
    "Application Number",
    "Applicant Last Name",
    "Applicant First Name",
    "Applicant Middle Name",
    "Rating Combination",
]


def applicant_rows(count: int, start: int = 1) -> list[list[str]]:
    return [
        ["1234567", str(10_000_000 + n), f"Last{n}", f"First{n}", "", "2210-13(Generalist)"]
        for n in range(start, start + count)
    ]


def usas_csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def imported(action) -> int:
    return Application.objects.filter(action=action, source=Source.USA_STAFFING).count()


@pytest.fixture
def import_url():
    def url(action) -> str:
        return reverse("hiring:hr_import_usas", args=[action.pk])

    return url


# --- Reading the export ----------------------------------------------------------------------------


def test_rows_keep_the_name_in_order_and_every_other_column():
    rows = parse_usas_csv(usas_csv([["1234567", "555", "Diaz", "Carmen", "M", "2210-13(Generalist)"]]))
    (row,) = rows
    assert (row.row, row.external_number, row.applicant_name) == (2, "555", "Carmen M Diaz")
    assert row.external_data == {
        "Vacancy ID": "1234567",
        "Applicant Last Name": "Diaz",
        "Applicant First Name": "Carmen",
        "Applicant Middle Name": "M",
        "Rating Combination": "2210-13(Generalist)",
    }


def test_headings_match_without_regard_to_case_spacing_or_the_old_combination_name():
    header = [
        "  application NUMBER ",
        "Applicant  Last Name",
        "applicant first name",
        "Application Combination",
    ]
    (row,) = parse_usas_csv(usas_csv([["7", "Roe", "Rich", "0343-12(Analyst)"]], header))
    assert row.external_data["Rating Combination"] == "0343-12(Analyst)"


def test_missing_optional_columns_are_fine():
    header = ["Application Number", "Applicant Last Name", "Applicant First Name"]
    rows = parse_usas_csv(usas_csv([["1", "Roe", "Rich"], ["2", "Doe", "Jane"]], header))
    assert [r.applicant_name for r in rows] == ["Rich Roe", "Jane Doe"]


def test_a_utf8_bom_and_excel_line_endings_are_handled():
    text = usas_csv(applicant_rows(2)).replace("\r\n", "\n").replace("\n", "\r\n")
    rows = parse_usas_csv(b"\xef\xbb\xbf" + text.encode())
    assert [r.external_number for r in rows] == ["10000001", "10000002"]
    assert "Vacancy ID" in rows[0].external_data


def test_excel_windows_csv_and_a_trailing_empty_row_are_read():
    text = usas_csv([["1", "2", "Müller", "Zoë", "", "x"]]) + ",,,,,\r\n"
    (row,) = parse_usas_csv(text.encode("cp1252"))
    assert row.applicant_name == "Zoë Müller"


def test_every_bad_row_is_named_as_a_spreadsheet_numbers_it():
    rows = applicant_rows(5)
    rows[3][1] = ""  # row 5: no Application Number
    rows[4][1] = rows[1][1]  # row 6 repeats row 3
    with pytest.raises(ImportRejected) as rejected:
        parse_usas_csv(usas_csv(rows))
    assert rejected.value.errors == [
        "Row 5: Application Number is empty.",
        "Row 6: Application Number 10000002 appears twice (also row 3).",
    ]
    assert isinstance(rejected.value, DomainError)


def test_unknown_and_missing_columns_are_reported_with_a_suggestion():
    header = ["Vacancy ID", "Aplication Number", "Applicant Last Name", "Applicant First Name", "Notes"]
    with pytest.raises(ImportRejected) as rejected:
        parse_usas_csv(usas_csv([["1", "2", "Roe", "Rich", "x"]], header))
    errors = rejected.value.errors
    assert errors[0] == (
        "Row 1, column B: “Aplication Number” is not a USA Staffing applicant column; "
        "did you mean “Application Number”?"
    )
    assert errors[1] == "Row 1, column E: “Notes” is not a USA Staffing applicant column."
    assert "Row 1: the required column “Application Number” is missing." in errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"PK\x03\x04rest-of-a-workbook", "This is an Excel workbook"),
        (usas_csv([]).encode(), "The file has a heading row but no applicant rows."),
        (usas_csv([["1", "1.23457E+07", "Roe", "Rich", "", "x"]]).encode(), "scientific notation"),
    ],
)
def test_files_that_are_not_an_applicant_list_are_refused_plainly(content, message):
    with pytest.raises(ImportRejected) as rejected:
        parse_usas_csv(content)
    assert message in rejected.value.errors[0]


def test_rows_are_capped(monkeypatch):
    monkeypatch.setattr(usas, "MAX_ROWS", 3)
    with pytest.raises(ImportRejected, match="1 problem") as rejected:
        parse_usas_csv(usas_csv(applicant_rows(4)))
    assert "more than 3 applicant rows" in rejected.value.errors[0]


def test_the_readers_limits_are_the_models():
    assert Application._meta.get_field("external_number").max_length == usas.NUMBER_MAX_LENGTH
    assert Application._meta.get_field("applicant_name").max_length == usas.NAME_MAX_LENGTH
    assert HiringAction._meta.get_field("title").max_length == art.TITLE_MAX_LENGTH
    assert Competency._meta.get_field("name").max_length == art.COMPETENCY_NAME_MAX_LENGTH


# --- Importing -------------------------------------------------------------------------------------


def test_a_good_file_imports_each_applicant_with_its_audit_row_and_an_unsent_receipt(action, hr):
    rows = parse_usas_csv(usas_csv(applicant_rows(5)))
    result = applications_import_usas(action=action, actor=hr, rows=rows)

    assert (result.created, result.unchanged) == (5, 0)
    assert result.summary == "Imported 5 new applications; 0 already present."
    application = Application.objects.get(action=action, external_number="10000001")
    assert (application.status, application.candidate, application.applicant_name) == (
        Status.RECEIVED,
        None,
        "First1 Last1",
    )
    assert application.source == Source.USA_STAFFING
    assert application.external_data["Rating Combination"] == "2210-13(Generalist)"
    event = application.events.get()
    assert (event.actor, event.actor_role, event.from_state, event.to_state) == (
        hr,
        Actor.HR,
        "",
        Status.RECEIVED,
    )
    notice = application.notices.get()
    assert notice.event == event
    assert notice.delivery == Notice.Delivery.NO_ADDRESS


def test_receipts_read_exactly_as_a_rendered_notice_does(action, hr):
    rows = parse_usas_csv(
        usas_csv(
            [
                ["1", "1", "O'Neill", "Grace", "", "x"],
                ["1", "2", "Nguyen", "Casey", "Thi", "x"],
                ["1", "3", "Ruiz", "Harriet", "", "x"],
            ]
        )
    )
    applications_import_usas(action=action, actor=hr, rows=rows)
    for application in Application.objects.filter(action=action).select_related("action__agency"):
        context = {"application": application, "action": action, "candidate": None, "code": ""}
        notice = application.notices.get()
        assert notice.subject == render_to_string("hiring/notices/received_subject.txt", context).strip()
        assert notice.body == render_to_string("hiring/notices/received.txt", context).strip()
        assert application.applicant_name in notice.body


def test_receipts_from_a_template_that_differs_per_applicant_are_rendered_one_by_one(action, hr, settings):
    engine = {**settings.TEMPLATES[0], "APP_DIRS": False}
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            (
                "django.template.loaders.locmem.Loader",
                {
                    "hiring/notices/received_subject.txt": "Received: {{ application.applicant_name|upper }}",
                    "hiring/notices/received.txt": "Your number is {{ application.external_number }}.",
                },
            ),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    settings.TEMPLATES = [engine]
    applications_import_usas(action=action, actor=hr, rows=parse_usas_csv(usas_csv(applicant_rows(4))))
    notices = Notice.objects.filter(application__action=action).order_by("application__external_number")
    assert [(n.subject, n.body) for n in notices] == [
        (f"Received: FIRST{n} LAST{n}", f"Your number is {10_000_000 + n}.") for n in range(1, 5)
    ]


def test_importing_the_same_file_again_changes_nothing(action, hr):
    text = usas_csv(applicant_rows(5))
    applications_import_usas(action=action, actor=hr, rows=parse_usas_csv(text))
    events, notices = AuditEvent.objects.count(), Notice.objects.count()

    result = applications_import_usas(action=action, actor=hr, rows=parse_usas_csv(text))

    assert (result.created, result.unchanged) == (0, 5)
    assert result.summary == "Imported 0 new applications; 5 already present."
    assert imported(action) == 5
    assert (AuditEvent.objects.count(), Notice.objects.count()) == (events, notices)


def test_a_longer_export_adds_only_the_new_applicants(action, hr):
    applications_import_usas(action=action, actor=hr, rows=parse_usas_csv(usas_csv(applicant_rows(3))))
    result = applications_import_usas(
        action=action, actor=hr, rows=parse_usas_csv(usas_csv(applicant_rows(5)))
    )
    assert (result.created, result.unchanged) == (2, 3)
    assert imported(action) == 5


def test_the_import_takes_the_same_number_of_queries_for_10_or_100_rows(action, hr):
    def queries(rows) -> int:
        with CaptureQueriesContext(connection) as captured:
            applications_import_usas(action=action, actor=hr, rows=parse_usas_csv(usas_csv(rows)))
        return len(captured)

    assert queries(applicant_rows(10)) == queries(applicant_rows(100, start=11))


def test_hr_of_another_action_cannot_import(action, other_agency_hr):
    rows = parse_usas_csv(usas_csv(applicant_rows(2)))
    with pytest.raises(DomainError, match="Only the action's hr specialist"):
        applications_import_usas(action=action, actor=other_agency_hr, rows=rows)
    assert imported(action) == 0


def test_no_import_outside_the_announcement_and_resume_review(hr, action):
    HiringAction.objects.filter(pk=action.pk).update(phase=Phase.ASSESSMENTS)
    with pytest.raises(DomainError, match="this one is in assessments"):
        applications_import_usas(action=action, actor=hr, rows=parse_usas_csv(usas_csv(applicant_rows(1))))


# --- The upload page -------------------------------------------------------------------------------


def upload(text: str | bytes, name: str = "applicants.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, "text/csv")


def test_the_page_shows_the_form(client, hr, action, import_url):
    client.force_login(hr)
    response = client.get(import_url(action))
    assert response.status_code == 200
    assert "USA Staffing applicant export (CSV)" in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_the_page_imports_and_says_how_many(client, hr, action, import_url):
    client.force_login(hr)
    response = client.post(import_url(action), {"file": upload(usas_csv(applicant_rows(4)))}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("hiring:hr_action_detail", args=[action.pk])
    assert "Imported 4 new applications; 0 already present." in response.text
    assert imported(action) == 4


def test_the_page_lists_every_row_problem_and_writes_nothing(client, hr, action, import_url):
    rows = applicant_rows(5)
    rows[3][1] = ""
    rows[4][1] = rows[1][1]
    events = AuditEvent.objects.count()
    client.force_login(hr)
    response = client.post(import_url(action), {"file": upload(usas_csv(rows))})
    assert response.status_code == 200
    assert "The file was not imported" in response.text
    assert "Row 5: Application Number is empty." in response.text
    assert "Row 6: Application Number 10000002 appears twice (also row 3)." in response.text
    assert imported(action) == 0
    assert AuditEvent.objects.count() == events


def test_the_page_asks_for_a_file(client, hr, action, import_url):
    client.force_login(hr)
    response = client.post(import_url(action), {})
    assert "Choose the CSV file exported from USA Staffing." in response.text


def test_the_page_is_not_found_for_people_who_are_not_its_hr(
    client, sme, other_agency_hr, action, import_url
):
    url = import_url(action)
    for user in (sme, other_agency_hr):
        client.force_login(user)
        assert client.post(url, {"file": upload(usas_csv(applicant_rows(1)))}).status_code == 404
    assert imported(action) == 0


# --- The command -----------------------------------------------------------------------------------


def test_the_command_imports(tmp_path, action, hr, capsys):
    csv_file = tmp_path / "applicants.csv"
    csv_file.write_text(usas_csv(applicant_rows(3)))
    call_command("import_usas", str(action.pk), str(csv_file), "--actor", hr.email.upper())
    assert "Imported 3 new applications; 0 already present." in capsys.readouterr().out
    assert imported(action) == 3


def run_failing(*args: str) -> tuple[int, str]:
    """Run a command expected to fail: its exit code (as manage.py would exit) and what it printed.
    (execute_from_command_line would close the test's database connection on the way out.)"""
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(*args, stderr=err)
    return failed.value.returncode, err.getvalue() + str(failed.value)


def test_the_command_prints_the_row_problems_and_exits_1(tmp_path, action, hr):
    rows = applicant_rows(3)
    rows[1][2] = ""
    csv_file = tmp_path / "applicants.csv"
    csv_file.write_text(usas_csv(rows))
    code, printed = run_failing("import_usas", str(action.pk), str(csv_file), "--actor", hr.email)
    assert code == 1
    assert "Row 3: Applicant Last Name is empty." in printed.splitlines()
    assert "Nothing was saved." in printed
    assert imported(action) == 0


# --- The Assessment Review Tool --------------------------------------------------------------------


@pytest.fixture
def agency_hr(db):
    agency = AgencyFactory(code="EX", name="Department of Examples")
    return AgencyRoleFactory(
        agency=agency, user=StaffFactory(email="harriet.ruiz@agency.test", agency=agency)
    ).user


def import_art_folder(folder: Path, actor: User) -> str:
    out = io.StringIO()
    call_command("import_art", str(folder), "--agency-code", "ex", "--actor", actor.email, stdout=out)
    return out.getvalue()


def test_an_art_folder_becomes_an_action_at_resume_review_with_competencies_smes_and_applicants(agency_hr):
    output = import_art_folder(ART_FIXTURE, agency_hr)

    action = HiringAction.objects.get(agency__code="EX")
    assert "Created hiring action" in output
    assert (action.title, action.series, action.grades, action.phase) == (
        "Product Manager",
        "2210",
        [13],
        Phase.RESUME_REVIEW,
    )
    assert action.duty_locations == ["Washington, DC", "Denver, CO"]
    assert action.job_analysis_is_final
    assert JobAnalysisVersion.objects.filter(action=action, number=1).exists()

    competencies = list(action.competencies.all())
    assert [c.name for c in competencies] == ["Product Strategy", "Delivery", "52 weeks of experience"]
    assert competencies[0].required_levels == {"13": "meets"}
    assert [c.screen_out for c in competencies] == [True, True, False]
    assert competencies[2].definition.startswith("At least 52 weeks")  # empty definition in ART

    roles = set(ActionRole.objects.filter(action=action).values_list("user__email", "role"))
    assert roles == {
        ("harriet.ruiz@agency.test", Role.HR),
        ("samuel.mensah@agency.test", Role.SME),
        ("sofia.marchetti@agency.test", Role.SME),
        ("sean.park@agency.test", Role.SME),
    }
    assert "hugo.outside@agency.test is HR in ART but has no SMEQA account" in output

    applications = Application.objects.filter(action=action, source=Source.ART).order_by("external_number")
    assert [a.applicant_name for a in applications] == [
        "Avery Johnson",
        "Carmen M Diaz",
        "Elena Petrova",
        "Grace O'Neill",
    ]
    assert applications[0].external_data["art_hurdle"] == "art:12345678:4321"
    assert all(a.notices.get().delivery == Notice.Delivery.NO_ADDRESS for a in applications)


def test_importing_the_art_folder_again_changes_nothing(agency_hr):
    import_art_folder(ART_FIXTURE, agency_hr)
    counts = [
        m.objects.count() for m in (HiringAction, Competency, User, ActionRole, Application, AuditEvent)
    ]

    output = import_art_folder(ART_FIXTURE, agency_hr)

    assert "Found hiring action" in output
    assert "Imported 0 new applications; 4 already present." in output
    after = [m.objects.count() for m in (HiringAction, Competency, User, ActionRole, Application, AuditEvent)]
    assert after == counts


def test_only_the_agencys_hr_can_import_an_art_folder(agency_hr, other_agency_hr):
    config = art.read_art_folder(ART_FIXTURE)
    with pytest.raises(DomainError, match="Only HR specialists of Department of Examples"):
        hiring_action_import_art(agency=agency_hr.agency, actor=other_agency_hr, config=config)


def edited_fixture(tmp_path: Path, file: str, edit) -> Path:
    folder = tmp_path / "art"
    shutil.copytree(ART_FIXTURE, folder)
    document = json.loads((folder / file).read_text())
    edit(document)
    (folder / file).write_text(json.dumps(document))
    return folder


def rename(mapping: dict, old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        (
            "competencies.json",
            lambda d: rename(d["competencies"][1], "screenOut", "screnOut"),
            "competencies.json, competency 2 (“Delivery”): unknown key “screnOut”; did you mean “screenOut”?",
        ),
        (
            "competencies.json",
            lambda d: rename(d, "competencies", "competancies"),
            "competencies.json: unknown key “competancies”; did you mean “competencies”?",
        ),
        (
            "competencies.json",
            lambda d: d["competencies"][0]["selectors"][0].update(pointValue="1"),
            "competencies.json, competency 1 (“Product Strategy”), selector 1 (“Yes”): "
            "“pointValue” must be a whole number, but it is the text “1”.",
        ),
        (
            "competencies.json",
            lambda d: d["competencies"][0].pop("displayType"),
            "competencies.json, competency 1 (“Product Strategy”): the required key “displayType” is missing.",
        ),
        (
            "specialties.json",
            lambda d: d["specialties"][0]["competencyLocalIds"].__setitem__(0, "core_stratgy"),
            "specialties.json, specialty 1 (“Product Manager GS-13”), competencyLocalIds: “core_stratgy” is not "
            "the localId of a competency in competencies.json; did you mean “core_strategy”?",
        ),
        (
            "users.json",
            lambda d: d["userSetup"][1].update(role=3),
            "users.json, userSetup group 2: “role” must be 1 or 2, but it is 3.",
        ),
        (
            "assessmentHurdle.json",
            lambda d: d.update(endDatetime="2024-12-01T00:00:00Z"),
            "assessmentHurdle.json: “endDatetime” 2024-12-01T00:00:00Z is before “startDatetime”.",
        ),
    ],
)
def test_a_bad_art_configuration_is_named_key_by_key_and_nothing_is_written(
    tmp_path, agency_hr, file, edit, expected
):
    folder = edited_fixture(tmp_path, file, edit)
    code, printed = run_failing("import_art", str(folder), "--agency-code", "EX", "--actor", agency_hr.email)
    assert code == 1
    assert expected in printed.splitlines()
    assert not HiringAction.objects.filter(agency=agency_hr.agency).exists()


def test_art_applicants_must_belong_to_the_hurdle_and_its_specialties(tmp_path):
    folder = tmp_path / "art"
    shutil.copytree(ART_FIXTURE, folder)
    text = (folder / "applicants.csv").read_text()
    text = text.replace("12345678,4321,902", "99999999,4321,902").replace(
        "10000003,2210-13(Product)", "10000003,2210-13(Prodct)"
    )
    (folder / "applicants.csv").write_text(text)
    with pytest.raises(ImportRejected) as rejected:
        art.read_art_folder(folder)
    assert rejected.value.errors == [
        "applicants.csv: Row 3: Vacancy ID 99999999 is not this hurdle's vacancyId 12345678 (assessmentHurdle.json).",
        "applicants.csv: Row 4: Rating Combination “2210-13(Prodct)” is not the localId of a specialty in "
        "specialties.json; did you mean “2210-13(Product)”?",
    ]


def test_a_missing_art_file_is_named_with_the_likely_misnamed_one(tmp_path):
    folder = tmp_path / "art"
    shutil.copytree(ART_FIXTURE, folder)
    (folder / "competencies.json").rename(folder / "competancies.json")
    with pytest.raises(ImportRejected) as rejected:
        art.read_art_folder(folder)
    assert rejected.value.errors == [
        "The folder has no competencies.json; is “competancies.json” meant to be it?"
    ]
