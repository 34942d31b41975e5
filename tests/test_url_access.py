"""Every named URL × every role, against an explicit table of expected answers.

Deny by default: a URL missing from the table fails the test, so a new page cannot ship unreviewed.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from hiring.models import Role
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    AgencyRoleFactory,
    ApplicationDocumentFactory,
    ApplicationFactory,
    AvailabilityFactory,
    CertificateFactory,
    CompetencyFactory,
    ConflictCheckFactory,
    EntryFactory,
    HiringActionFactory,
    InterviewFactory,
    InterviewQuestionFactory,
    ParticipantFactory,
    ResumeReviewFactory,
    StaffFactory,
    UserFactory,
)
from tests.hostile_uploads import clean_pdf

# The action is pooled (ADR 0015): "manager" has no agency (selects for the lead, whose certificate this
# is); "participant_manager" is another participating agency's hiring manager on the same action.
ROLES = [
    "anonymous",
    "candidate",
    "other_candidate",
    "sme",
    "hr",
    "manager",
    "other_agency_hr",
    "participant_manager",
]
ALL_SIGNED_IN = {r: None for r in ROLES if r != "anonymous"}


def row(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    """Expected status per role: `default` for every signed-in role unless overridden."""
    expected = {role: default for role in ROLES}
    expected["anonymous"] = anonymous
    expected.update(overrides)
    return expected


# name: (method, kwargs builder, expected status per role)
TABLE = {
    "home": ("get", lambda w: {}, row(302)),
    "healthz": ("get", lambda w: {}, row(200, anonymous=200)),
    "login": ("get", lambda w: {}, row(302, anonymous=200)),
    "logout": ("post", lambda w: {}, row(302, anonymous=302)),
    # Two-step sign-in: with REQUIRE_STAFF_TOTP off (tests) nobody owes a code, so each is sent on.
    # Passwords (smeqa/passwords.py): the reset pages answer anyone (a link that does not check out shows
    # "This link has expired"); changing needs a signed-in person.
    "password_reset": ("get", lambda w: {}, row(200, anonymous=200)),
    "password_reset_done": ("get", lambda w: {}, row(200, anonymous=200)),
    "password_reset_confirm": (
        "get",
        lambda w: {"uidb64": "MA", "token": "set-password"},
        row(200, anonymous=200),
    ),
    "password_reset_complete": ("get", lambda w: {}, row(200, anonymous=200)),
    "password_change": ("get", lambda w: {}, row(200)),
    "password_change_done": ("get", lambda w: {}, row(200)),
    "two_factor_setup": ("get", lambda w: {}, row(302)),
    "two_factor_verify": ("get", lambda w: {}, row(302)),
    # Sign in with Login.gov: not configured in tests, so nothing answers (tests/test_oidc.py configures
    # it). Sign-out through it needs a signed-in person first, like `logout`.
    "oidc_authentication_init": ("get", lambda w: {}, row(404, anonymous=404)),
    "oidc_authentication_callback": ("get", lambda w: {}, row(404, anonymous=404)),
    "oidc_logout": ("post", lambda w: {}, row(404, anonymous=302)),
    "hiring:hr_home": ("get", lambda w: {}, row(403, hr=200, other_agency_hr=200)),
    "hiring:hr_action_create": ("get", lambda w: {}, row(403, hr=200)),
    "hiring:hr_document": (
        "get",
        lambda w: {"action_pk": w["action"].pk, "pk": w["document"].pk},
        row(404, hr=200),
    ),
    "hiring:hr_import_usas": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:hr_action_settings": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:hr_screening": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    # Pooled hiring (ADR 0015): the pool page is the action's HR's.
    "hiring:hr_pool": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    # HR's dashboards (issue 9): one action's for its HR; across actions for anyone holding the HR role.
    "hiring:hr_action_dashboard": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:hr_action_dashboard_csv": (
        "get",
        lambda w: {"pk": w["action"].pk, "table": "funnel"},
        row(404, hr=200),
    ),
    "hiring:hr_dashboard": ("get", lambda w: {}, row(403, hr=200, other_agency_hr=200)),
    "hiring:hr_dashboard_csv": ("get", lambda w: {"table": "effort"}, row(403, hr=200, other_agency_hr=200)),
    "hiring:jobs": ("get", lambda w: {}, row(200, anonymous=200)),
    "hiring:job_detail": ("get", lambda w: {"pk": w["announcement"].pk}, row(200, anonymous=200)),
    "hiring:job_json": ("get", lambda w: {"pk": w["announcement"].pk}, row(200, anonymous=200)),
    "hiring:signup": ("get", lambda w: {}, row(302, anonymous=200)),
    # Already applied: sent to their status page. Staff of the action may not apply (403).
    "hiring:apply": (
        "get",
        lambda w: {"pk": w["announcement"].pk},
        row(200, candidate=302, other_candidate=302, hr=403, sme=403, manager=403, participant_manager=403),
    ),
    "hiring:job_analysis": (
        "get",
        lambda w: {"pk": w["action"].pk},
        row(404, hr=200, sme=200, manager=200, participant_manager=200),
    ),
    "hiring:competency_add": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:competency_edit": (
        "get",
        lambda w: {"pk": w["action"].pk, "competency_pk": w["competency"].pk},
        row(404, hr=200),
    ),
    "hiring:competency_delete": (
        "post",
        lambda w: {"pk": w["action"].pk, "competency_pk": w["competency"].pk},
        row(404, hr=302),
    ),
    "hiring:question_add": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:question_edit": (
        "get",
        lambda w: {"pk": w["action"].pk, "question_pk": w["question"].pk},
        row(404, hr=200),
    ),
    "hiring:question_delete": (
        "post",
        lambda w: {"pk": w["action"].pk, "question_pk": w["question"].pk},
        row(404, hr=302),
    ),
    "hiring:job_analysis_finalize": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=302)),
    "hiring:job_analysis_revise": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=302)),
    "hiring:comment_add": (
        "post",
        lambda w: {"pk": w["action"].pk},
        row(404, hr=302, sme=302, manager=302, participant_manager=302),
    ),
    "hiring:announcement": (
        "get",
        lambda w: {"pk": w["action"].pk},
        row(404, hr=200, sme=200, manager=200, participant_manager=200),
    ),
    "hiring:announcement_save": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:announcement_publish": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:hr_action_detail": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "hiring:hr_action_advance_phase": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=302)),
    "hiring:hr_application_detail": (
        "get",
        lambda w: {"action_pk": w["action"].pk, "pk": w["application"].pk},
        row(404, hr=200),
    ),
    "hiring:candidate_home": ("get", lambda w: {}, row(403, candidate=200, other_candidate=200)),
    "hiring:candidate_application_status": (
        "get",
        lambda w: {"pk": w["application"].pk},
        row(404, candidate=200),
    ),
    "hiring:candidate_withdraw": ("get", lambda w: {"pk": w["application"].pk}, row(404, candidate=200)),
    "assessments:sme_home": ("get", lambda w: {}, row(403, sme=200)),
    "assessments:sme_conflicts": ("get", lambda w: {"pk": w["action"].pk}, row(404, sme=200)),
    "assessments:sme_queue": ("get", lambda w: {"pk": w["action"].pk}, row(404, sme=200)),
    "assessments:sme_next": ("get", lambda w: {"pk": w["action"].pk}, row(404, sme=302)),
    "assessments:sme_review": ("get", lambda w: {"pk": w["review"].pk}, row(404, sme=200)),
    # An empty autosave is refused (400); only the assigned SME gets that far.
    "assessments:sme_review_autosave": ("post", lambda w: {"pk": w["review"].pk}, row(404, sme=400)),
    "assessments:sme_review_resume": ("get", lambda w: {"pk": w["review"].pk}, row(404, sme=200)),
    "assessments:sme_review_recuse": ("post", lambda w: {"pk": w["review"].pk}, row(404, sme=302)),
    "assessments:hr_resume_review": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "assessments:hr_resume_assign": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=302)),
    "assessments:hr_results_send": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=302)),
    # Not settled yet: HR gets the message back on the dashboard (302); nobody else finds it.
    "assessments:hr_result_send": (
        "post",
        lambda w: {"pk": w["action"].pk, "application_pk": w["application"].pk},
        row(404, hr=302),
    ),
    "assessments:hr_sme_add": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=302)),
    "assessments:hr_sme_remove": (
        "post",
        lambda w: {"pk": w["action"].pk, "user_pk": w["users"]["sme"].pk},
        row(404, hr=302),
    ),
    "assessments:hr_resume_review_export": (
        "get",
        lambda w: {"pk": w["action"].pk, "kind": "usas"},
        row(404, hr=200),
    ),
    "assessments:hr_review_decide": ("post", lambda w: {"pk": w["review"].pk}, row(404, hr=302)),
    "assessments:sme_interviews": ("get", lambda w: {"pk": w["action"].pk}, row(404, sme=200)),
    "assessments:sme_availability_remove": ("post", lambda w: {"pk": w["window"].pk}, row(404, sme=302)),
    "assessments:sme_sheet": ("get", lambda w: {"pk": w["interview"].pk}, row(404, sme=200)),
    "assessments:sme_sheet_autosave": ("post", lambda w: {"pk": w["interview"].pk}, row(404, sme=400)),
    "assessments:sme_no_show": ("post", lambda w: {"pk": w["interview"].pk}, row(404, sme=302)),
    # The candidate's scheduling link: its unguessable token is the key (imported applicants have no
    # account), so it answers without sign-in.
    "assessments:interview_schedule": (
        "get",
        lambda w: {"token": w["interview"].token},
        row(200, anonymous=200),
    ),
    "assessments:hr_interviews": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "assessments:hr_seat_add": ("post", lambda w: {"pk": w["action"].pk, "round": 1}, row(404, hr=302)),
    "assessments:hr_seat_remove": (
        "post",
        lambda w: {"pk": w["action"].pk, "round": 1},
        row(404, hr=302),
    ),
    "assessments:hr_interviews_assign": (
        "post",
        lambda w: {"pk": w["action"].pk, "round": 1},
        row(404, hr=302),
    ),
    "assessments:hr_invitations_send": (
        "post",
        lambda w: {"pk": w["action"].pk, "round": 1},
        row(404, hr=302),
    ),
    "assessments:hr_interview": ("get", lambda w: {"pk": w["interview"].pk}, row(404, hr=200)),
    "assessments:hr_interview_act": (
        "post",
        lambda w: {"pk": w["interview"].pk, "what": "accept"},
        row(404, hr=302),
    ),
    "certificates:manager_home": ("get", lambda w: {}, row(403, manager=200, participant_manager=200)),
    "certificates:hr_certificates": ("get", lambda w: {"pk": w["action"].pk}, row(404, hr=200)),
    "certificates:hr_issue": ("post", lambda w: {"pk": w["action"].pk}, row(404, hr=302)),
    "certificates:hr_adjudicate": (
        "get",
        lambda w: {"pk": w["action"].pk, "application_pk": w["application"].pk},
        row(404, hr=200),
    ),
    # Time in grade (ADR 0015 step 3): the action's HR only, like preference.
    "certificates:hr_grade_check": (
        "get",
        lambda w: {"pk": w["action"].pk, "application_pk": w["application"].pk},
        row(404, hr=200),
    ),
    # A certificate: the action's HR and hiring manager (a shared copy: the receiving agency's HR). It is
    # the lead agency's: another participant's hiring manager gets 404 on it and every page and POST of it.
    "certificates:certificate": ("get", lambda w: {"pk": w["certificate"].pk}, row(404, hr=200, manager=200)),
    "certificates:certificate_pdf": (
        "get",
        lambda w: {"pk": w["certificate"].pk},
        row(404, hr=200, manager=200),
    ),
    "certificates:certificate_pdf_status": (
        "get",
        lambda w: {"pk": w["certificate"].pk},
        row(404, hr=200, manager=200),
    ),
    "certificates:certificate_act": (
        "post",
        lambda w: {"pk": w["certificate"].pk, "what": "return"},
        row(404, hr=302, manager=302),
    ),
    "certificates:entry_package": (
        "get",
        lambda w: {"pk": w["certificate"].pk, "entry_pk": w["entry"].pk},
        row(404, hr=200, manager=200),
    ),
    "certificates:entry_resume": (
        "get",
        lambda w: {"pk": w["certificate"].pk, "entry_pk": w["entry"].pk},
        row(404, hr=200, manager=200),
    ),
    "certificates:entry_act": (
        "post",
        lambda w: {"pk": w["certificate"].pk, "entry_pk": w["entry"].pk, "what": "disposition"},
        row(404, hr=302, manager=302),
    ),
    # The talent pool is for agency HR offices: any HR person may look; requests need an agency role.
    "certificates:talent_pool": ("get", lambda w: {}, row(403, hr=200, other_agency_hr=200)),
    "certificates:talent_pool_request": (
        "get",
        lambda w: {"pk": w["certificate"].pk},
        row(403, hr=200, other_agency_hr=200),
    ),
}


def all_url_names(resolver=None, namespace="") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@pytest.fixture
def world(db):
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    AgencyRoleFactory(agency=action.agency, user=hr)
    competency = CompetencyFactory(action=action)
    question = InterviewQuestionFactory(action=action, competencies=[competency])
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    candidate, other_candidate = UserFactory(), UserFactory()
    application = ApplicationFactory(action=action, candidate=candidate)
    document = ApplicationDocumentFactory(application=application)
    ConflictCheckFactory(action=action, sme=sme)
    review = ResumeReviewFactory(application=application, sme=sme)
    ApplicationFactory(action=action, candidate=other_candidate)
    interview = InterviewFactory(application=application, sme=sme)
    window = AvailabilityFactory(action=action, sme=sme)
    certificate = CertificateFactory(
        action=action,
        state="audited",
        pdf_state="ready",
        pdf=ContentFile(clean_pdf(), name="certificate.pdf"),
    )
    entry = EntryFactory(certificate=certificate, application=application)
    # Pooled (ADR 0015), once the applications above are in: the lead and agency Z take part, and Z's
    # hiring manager selects for Z only.
    participant = AgencyFactory()
    ParticipantFactory(action=action, agency=action.agency)
    ParticipantFactory(action=action, agency=participant)
    participant_manager = ActionRoleFactory(
        action=action, role=Role.HIRING_MANAGER, agency=participant, user=StaffFactory(agency=participant)
    ).user
    elsewhere = HiringActionFactory()
    other_agency_hr = ActionRoleFactory(
        action=elsewhere, role=Role.HR, user=StaffFactory(agency=elsewhere.agency)
    ).user
    return {
        "action": action,
        "announcement": action.announcement,
        "competency": competency,
        "question": question,
        "application": application,
        "document": document,
        "review": review,
        "interview": interview,
        "window": window,
        "certificate": certificate,
        "entry": entry,
        "users": {
            "anonymous": None,
            "candidate": candidate,
            "other_candidate": other_candidate,
            "sme": sme,
            "hr": hr,
            "manager": manager,
            "other_agency_hr": other_agency_hr,
            "participant_manager": participant_manager,
        },
    }


def test_the_table_covers_every_named_url_outside_the_admin():
    ours = {name for name in all_url_names() if not name.startswith("admin:")}
    assert ours - TABLE.keys() == set(), "add these URLs to TABLE with their expected answers"
    assert TABLE.keys() - ours == set(), "TABLE names URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_url_answers_each_role_as_the_table_says(client, world, name, role):
    method, kwargs, expected = TABLE[name]
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=kwargs(world))
    response = getattr(client, method)(url)
    assert response.status_code == expected[role], f"{role} {method.upper()} {url}"
    if role == "anonymous" and expected[role] == 302 and name not in {"logout"}:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_no_signed_in_role_gets_into_the_admin(client, world, role):
    client.force_login(world["users"][role])
    # The admin's own sign-in and sign-out pages answer everyone; every other admin page is guarded.
    guarded = {n for n in all_url_names() if n.startswith("admin:")} - {"admin:login", "admin:logout"}
    checked = 0
    for name in sorted(guarded):
        try:
            url = reverse(name)
        except NoReverseMatch:  # admin URLs that need object ids; the index covers their guard
            continue
        response = client.get(url)
        checked += 1
        assert response.status_code in {302, 404}, f"{role} got {response.status_code} from {url}"
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
    assert checked >= 5
