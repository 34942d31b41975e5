"""The authorization matrix (issue 8): every named URL × every role × an object of the person's own
hiring action and one of another action, against an explicit table, and every denial logged once.

Two actions in two agencies, each with its whole cast and one applicant carried through every page
(application, resume, review, interview, availability, certificate and its entry):

- action A (agency X): HR, hiring manager, the SME assigned to the applicant, an SME on the action with
  no assignment for them, an SME recused from them (who had reviewed and been assigned an interview
  before recusing), and the candidate who applied; plus an HR specialist of agency X with no role on A.
  A is pooled (ADR 0015): agency Z takes part, with its own hiring manager ("another participant's
  hiring manager"), who works on A but never sees X's certificate.
- action B (agency Y): its HR (HR of another agency), hiring manager and candidate (the other
  candidate), and an SME.

Each URL is requested by every role for A's object, then for B's. An answer not in the table fails the
test, a new URL fails until it has a row, and a method a view accepts (GET, POST) needs its own row.
Every request runs in a savepoint that is rolled back, so one role's allowed POST leaves the world as
it was for the next.
"""

import logging
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Recusal, ResumeReview
from hiring.models import Role
from smeqa.denials import loggable_path
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
    RecusalFactory,
    ResumeReviewFactory,
    StaffFactory,
    UserFactory,
)
from tests.hostile_uploads import clean_pdf

ROLES = [
    "anonymous",
    "candidate",  # applied to A
    "other_candidate",  # applied to B
    "sme",  # SME on A, assigned the candidate's review and interview
    "sme_unassigned",  # SME on A, conflict check done, nothing of the candidate's
    "sme_recused",  # SME on A, recused from the candidate after reviewing them
    "hr",  # HR of A and of agency X's HR office
    "agency_hr",  # HR of agency X's HR office, no role on A
    "other_agency_hr",  # HR of B and of agency Y's HR office
    "manager",  # hiring manager of A (no agency: selects for the lead, agency X)
    "other_manager",  # hiring manager of B
    "participant_manager",  # hiring manager of A for participating agency Z (pooled, ADR 0015)
]
SIGNED_IN = [r for r in ROLES if r != "anonymous"]
# On B's objects each role answers as its counterpart would on A's; roles tied to A alone (its SMEs,
# and agency X's HR office) are strangers to B.
COUNTERPART = {
    "candidate": "other_candidate",
    "other_candidate": "candidate",
    "hr": "other_agency_hr",
    "other_agency_hr": "hr",
    "manager": "other_manager",
    "other_manager": "manager",
}
SIDES = ("A", "B")
DENIALS = {403, 404}


@dataclass(frozen=True)
class Expect:
    """The answer each role gets: `allowed` roles get their status on A's objects, every other signed-in
    role gets `deny`, anonymous is sent to sign in (302) unless the page is public. B's answers follow by
    counterpart unless `same_on_both` (pages not scoped to an action) or given in `b`."""

    allowed: dict[str, int] = field(default_factory=dict)
    deny: int = 404
    anonymous: int = 302
    same_on_both: bool = False
    b: dict[str, int] = field(default_factory=dict)

    def on_a(self, role: str) -> int:
        if role == "anonymous":
            return self.anonymous
        return self.allowed.get(role, self.deny)

    def answer(self, side: str, role: str) -> int:
        if side == "A" or self.same_on_both:
            return self.on_a(role)
        if role in self.b:
            return self.b[role]
        if role == "anonymous":
            return self.anonymous
        return self.on_a(COUNTERPART[role]) if role in COUNTERPART else self.deny


def only(deny: int = 404, **allowed: int) -> Expect:
    """Only the named roles get in; the rest are denied with `deny`."""
    return Expect(allowed=allowed, deny=deny)


def everyone(status: int = 200, **overrides: int) -> Expect:
    """A public page: every role, anonymous too, on either action."""
    return Expect(
        allowed=dict.fromkeys(SIGNED_IN, status) | overrides,
        anonymous=overrides.get("anonymous", status),
        same_on_both=True,
    )


def role_page(role_holders: dict[str, int]) -> Expect:
    """A page for everyone holding a role anywhere (403 to the rest), not tied to one action."""
    return Expect(allowed=role_holders, deny=403, same_on_both=True)


HR_ANYWHERE = {"hr": 200, "agency_hr": 200, "other_agency_hr": 200}
SMES = ("sme", "sme_unassigned", "sme_recused")
# Everyone working on A who reads its job analysis and announcement, each agency's hiring managers too.
ON_A = ("manager", "participant_manager", *SMES)
# Anyone signed in may apply, except people with a role on that action (403); someone who already
# applied is sent to their status page (302).
APPLY = Expect(
    allowed=dict.fromkeys(SIGNED_IN, 200)
    | {"candidate": 302}
    | dict.fromkeys((*SMES, "hr", "manager", "participant_manager"), 403),
    b=dict.fromkeys(SIGNED_IN, 200) | {"other_candidate": 302, "other_agency_hr": 403, "other_manager": 403},
)


@dataclass(frozen=True)
class Row:
    """A URL's kwargs (from the objects of one action, or None for a page without an object) and the
    answers per method the view accepts."""

    kwargs: object = None
    get: Expect | None = None
    post: Expect | None = None

    def expect(self, method: str) -> Expect | None:
        return getattr(self, method)


def action_pk(o):
    return {"pk": o.action.pk}


# name: Row(kwargs builder, answers to GET, answers to POST). Empty POSTs: an allowed person gets the
# form back with its errors (200) or a message on the page they came from (302); a JSON autosave says 400.
TABLE: dict[str, Row] = {
    # --- public, and signing in and out ---
    "home": Row(get=Expect(allowed=dict.fromkeys(SIGNED_IN, 302), same_on_both=True)),
    "healthz": Row(get=everyone()),
    "login": Row(get=everyone(302, anonymous=200), post=everyone(302, anonymous=200)),
    "logout": Row(post=everyone(302)),
    # Two-step sign-in pages: with REQUIRE_STAFF_TOTP off (tests) nobody owes a code, so each is sent on.
    # Passwords (smeqa/passwords.py): the reset pages answer anyone (an empty POST shows its errors; a link
    # that does not check out shows "This link has expired"); changing needs a signed-in person.
    "password_reset": Row(get=everyone(), post=everyone()),
    "password_reset_done": Row(get=everyone()),
    "password_reset_confirm": Row(
        lambda o: {"uidb64": "MA", "token": "set-password"}, get=everyone(), post=everyone()
    ),
    "password_reset_complete": Row(get=everyone()),
    "password_change": Row(get=everyone(anonymous=302), post=everyone(anonymous=302)),
    "password_change_done": Row(get=everyone(anonymous=302)),
    "two_factor_setup": Row(get=everyone(302), post=everyone(302)),
    "two_factor_verify": Row(get=everyone(302), post=everyone(302)),
    # Sign in with Login.gov: not configured in tests, so nothing answers (tests/test_oidc.py configures
    # it); its sign-out sends an anonymous person to sign in first, like any page.
    "oidc_authentication_init": Row(get=everyone(404)),
    "oidc_authentication_callback": Row(get=everyone(404)),
    "oidc_logout": Row(get=everyone(404, anonymous=302), post=everyone(404, anonymous=302)),
    "hiring:jobs": Row(get=everyone()),
    "hiring:job_detail": Row(lambda o: {"pk": o.announcement.pk}, get=everyone()),
    "hiring:job_json": Row(lambda o: {"pk": o.announcement.pk}, get=everyone()),
    # Signed in already: sent on (302). Anonymous: the form (200; an empty POST shows its errors).
    "hiring:signup": Row(get=everyone(302, anonymous=200), post=everyone(302, anonymous=200)),
    "hiring:apply": Row(lambda o: {"pk": o.announcement.pk}, get=APPLY, post=APPLY),
    # --- candidates ---
    "hiring:candidate_home": Row(get=only(403, candidate=200, other_candidate=200)),
    "hiring:candidate_application_status": Row(lambda o: {"pk": o.application.pk}, get=only(candidate=200)),
    "hiring:candidate_withdraw": Row(
        lambda o: {"pk": o.application.pk}, get=only(candidate=200), post=only(candidate=200)
    ),
    # --- HR: the spine. Agency HR is not HR of every action of the agency. ---
    "hiring:hr_home": Row(get=role_page(HR_ANYWHERE)),
    "hiring:hr_action_create": Row(get=role_page(HR_ANYWHERE), post=role_page(HR_ANYWHERE)),
    "hiring:hr_action_detail": Row(action_pk, get=only(hr=200)),
    "hiring:hr_action_settings": Row(action_pk, get=only(hr=200), post=only(hr=200)),
    "hiring:hr_action_advance_phase": Row(action_pk, post=only(hr=302)),
    "hiring:hr_application_detail": Row(
        lambda o: {"action_pk": o.action.pk, "pk": o.application.pk}, get=only(hr=200), post=only(hr=200)
    ),
    "hiring:hr_document": Row(lambda o: {"action_pk": o.action.pk, "pk": o.document.pk}, get=only(hr=200)),
    "hiring:hr_screening": Row(action_pk, get=only(hr=200), post=only(hr=302)),
    # Pooled hiring (ADR 0015): HR of the action only; an empty POST is sent back with a message.
    "hiring:hr_pool": Row(action_pk, get=only(hr=200), post=only(hr=302)),
    "hiring:hr_import_usas": Row(action_pk, get=only(hr=200), post=only(hr=200)),
    # HR's dashboards (issue 9): one action's for its HR only; across actions for anyone holding the HR
    # role, each seeing only the actions they are HR on.
    "hiring:hr_action_dashboard": Row(action_pk, get=only(hr=200)),
    "hiring:hr_action_dashboard_csv": Row(lambda o: {"pk": o.action.pk, "table": "funnel"}, get=only(hr=200)),
    "hiring:hr_dashboard": Row(get=role_page(HR_ANYWHERE)),
    "hiring:hr_dashboard_csv": Row(lambda o: {"table": "effort"}, get=role_page(HR_ANYWHERE)),
    # --- job analysis and announcement: everyone on the action reads and comments; HR edits ---
    "hiring:job_analysis": Row(action_pk, get=only(hr=200, **dict.fromkeys(ON_A, 200))),
    "hiring:competency_add": Row(action_pk, get=only(hr=200), post=only(hr=200)),
    "hiring:competency_edit": Row(
        lambda o: {"pk": o.action.pk, "competency_pk": o.competency.pk}, get=only(hr=200), post=only(hr=200)
    ),
    "hiring:competency_delete": Row(
        lambda o: {"pk": o.action.pk, "competency_pk": o.competency.pk}, post=only(hr=302)
    ),
    "hiring:question_add": Row(action_pk, get=only(hr=200), post=only(hr=200)),
    "hiring:question_edit": Row(
        lambda o: {"pk": o.action.pk, "question_pk": o.question.pk}, get=only(hr=200), post=only(hr=200)
    ),
    "hiring:question_delete": Row(
        lambda o: {"pk": o.action.pk, "question_pk": o.question.pk}, post=only(hr=302)
    ),
    "hiring:job_analysis_finalize": Row(action_pk, post=only(hr=302)),
    "hiring:job_analysis_revise": Row(action_pk, post=only(hr=302)),
    "hiring:comment_add": Row(action_pk, post=only(hr=302, **dict.fromkeys(ON_A, 302))),
    "hiring:announcement": Row(action_pk, get=only(hr=200, **dict.fromkeys(ON_A, 200))),
    "hiring:announcement_save": Row(action_pk, post=only(hr=200)),
    "hiring:announcement_publish": Row(action_pk, post=only(hr=200)),
    # --- SMEs: resume review. Only the SME holding a live review of the applicant, never a recused one.
    "assessments:sme_home": Row(get=role_page(dict.fromkeys(SMES, 200))),
    "assessments:sme_conflicts": Row(
        action_pk, get=only(**dict.fromkeys(SMES, 200)), post=only(**dict.fromkeys(SMES, 200))
    ),
    "assessments:sme_queue": Row(action_pk, get=only(**dict.fromkeys(SMES, 200))),
    "assessments:sme_next": Row(action_pk, get=only(**dict.fromkeys(SMES, 302))),
    "assessments:sme_review": Row(lambda o: {"pk": o.review.pk}, get=only(sme=200), post=only(sme=200)),
    "assessments:sme_review_autosave": Row(lambda o: {"pk": o.review.pk}, post=only(sme=400)),
    "assessments:sme_review_resume": Row(lambda o: {"pk": o.review.pk}, get=only(sme=200)),
    "assessments:sme_review_recuse": Row(lambda o: {"pk": o.review.pk}, post=only(sme=302)),
    # --- HR: resume review ---
    "assessments:hr_resume_review": Row(action_pk, get=only(hr=200)),
    "assessments:hr_resume_assign": Row(action_pk, post=only(hr=302)),
    "assessments:hr_results_send": Row(action_pk, post=only(hr=302)),
    "assessments:hr_result_send": Row(
        lambda o: {"pk": o.action.pk, "application_pk": o.application.pk}, post=only(hr=302)
    ),
    "assessments:hr_sme_add": Row(action_pk, post=only(hr=302)),
    "assessments:hr_sme_remove": Row(lambda o: {"pk": o.action.pk, "user_pk": o.sme.pk}, post=only(hr=302)),
    "assessments:hr_review_decide": Row(lambda o: {"pk": o.review.pk}, post=only(hr=302)),
    "assessments:hr_resume_review_export": Row(
        lambda o: {"pk": o.action.pk, "kind": "usas"}, get=only(hr=200)
    ),
    # --- SMEs: interviews. Only the SME's own interview, never a recused one's. ---
    "assessments:sme_interviews": Row(
        action_pk, get=only(**dict.fromkeys(SMES, 200)), post=only(**dict.fromkeys(SMES, 200))
    ),
    "assessments:sme_availability_remove": Row(lambda o: {"pk": o.window.pk}, post=only(sme=302)),
    "assessments:sme_sheet": Row(lambda o: {"pk": o.interview.pk}, get=only(sme=200), post=only(sme=200)),
    "assessments:sme_sheet_autosave": Row(lambda o: {"pk": o.interview.pk}, post=only(sme=400)),
    "assessments:sme_no_show": Row(lambda o: {"pk": o.interview.pk}, post=only(sme=302)),
    # The candidate's scheduling link: its unguessable token is the key (imported applicants have no
    # account), so it answers without sign-in; an empty POST gets the page back with the error.
    "assessments:interview_schedule": Row(
        lambda o: {"token": o.interview.token}, get=everyone(), post=everyone()
    ),
    # --- HR: interviews ---
    "assessments:hr_interviews": Row(action_pk, get=only(hr=200)),
    "assessments:hr_seat_add": Row(lambda o: {"pk": o.action.pk, "round": 1}, post=only(hr=302)),
    "assessments:hr_seat_remove": Row(lambda o: {"pk": o.action.pk, "round": 1}, post=only(hr=302)),
    "assessments:hr_interviews_assign": Row(lambda o: {"pk": o.action.pk, "round": 1}, post=only(hr=302)),
    "assessments:hr_invitations_send": Row(lambda o: {"pk": o.action.pk, "round": 1}, post=only(hr=302)),
    "assessments:hr_interview": Row(lambda o: {"pk": o.interview.pk}, get=only(hr=200)),
    "assessments:hr_interview_act": Row(
        lambda o: {"pk": o.interview.pk, "what": "accept"}, post=only(hr=302)
    ),
    # --- certificates: the action's HR and hiring manager. On pooled A, the certificate is agency X's
    # (the lead's): another participant's hiring manager gets 404 on it, every page and POST (ADR 0015).
    "certificates:manager_home": Row(
        get=role_page({"manager": 200, "other_manager": 200, "participant_manager": 200})
    ),
    "certificates:hr_certificates": Row(action_pk, get=only(hr=200)),
    "certificates:hr_issue": Row(action_pk, post=only(hr=302)),
    "certificates:hr_adjudicate": Row(
        lambda o: {"pk": o.action.pk, "application_pk": o.application.pk}, get=only(hr=200), post=only(hr=200)
    ),
    # Time in grade: an empty POST gets the page back with its errors (200).
    "certificates:hr_grade_check": Row(
        lambda o: {"pk": o.action.pk, "application_pk": o.application.pk}, get=only(hr=200), post=only(hr=200)
    ),
    "certificates:certificate": Row(lambda o: {"pk": o.certificate.pk}, get=only(hr=200, manager=200)),
    "certificates:certificate_pdf": Row(lambda o: {"pk": o.certificate.pk}, get=only(hr=200, manager=200)),
    "certificates:certificate_pdf_status": Row(
        lambda o: {"pk": o.certificate.pk}, get=only(hr=200, manager=200)
    ),
    "certificates:certificate_act": Row(
        lambda o: {"pk": o.certificate.pk, "what": "return"}, post=only(hr=302, manager=302)
    ),
    "certificates:entry_package": Row(
        lambda o: {"pk": o.certificate.pk, "entry_pk": o.entry.pk}, get=only(hr=200, manager=200)
    ),
    "certificates:entry_resume": Row(
        lambda o: {"pk": o.certificate.pk, "entry_pk": o.entry.pk}, get=only(hr=200, manager=200)
    ),
    "certificates:entry_act": Row(
        lambda o: {"pk": o.certificate.pk, "entry_pk": o.entry.pk, "what": "disposition"},
        post=only(hr=302, manager=302),
    ),
    # The talent pool is for HR offices: any HR person looks at any audited original, on any action;
    # requesting needs an agency HR role (all three HR people here have one).
    "certificates:talent_pool": Row(get=role_page(HR_ANYWHERE)),
    "certificates:talent_pool_request": Row(
        lambda o: {"pk": o.certificate.pk}, get=role_page(HR_ANYWHERE), post=role_page(HR_ANYWHERE)
    ),
}


# --- the URLs and the methods their views accept ------------------------------------------------------


def named_urls(resolver=None, namespace: str = "") -> dict[str, object]:
    """Every named URL pattern outside the admin, with its view."""
    resolver = resolver or get_resolver()
    found = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[f"{namespace}{pattern.name}"] = pattern.callback
    return found


def accepted_methods(view) -> set[str]:
    """ "get" and/or "post": what the view's require_http_methods family (or class) lets through; a
    function view without one is read with GET."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m for m in ("get", "post") if m in view_class.http_method_names and hasattr(view_class, m)}
    allowed: set[str] | None = None
    while view is not None:
        for cell in view.__closure__ or ():
            value = cell.cell_contents
            # require_http_methods keeps its list in the wrapper's closure.
            if isinstance(value, list) and value and all(isinstance(m, str) and m.isupper() for m in value):
                names = {m.lower() for m in value}
                allowed = names if allowed is None else allowed & names
        view = getattr(view, "__wrapped__", None)
    return {"get"} if allowed is None else allowed & {"get", "post"}


# --- the world ------------------------------------------------------------------------------------------


def _action_with_applicant(agency, candidate) -> SimpleNamespace:
    """One action in `agency` with its HR, hiring manager, an assigned SME, and `candidate`'s application
    carried through every page: resume, review, interview, availability, an audited certificate."""
    action = HiringActionFactory(agency=agency)
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    AgencyRoleFactory(agency=agency, user=hr)
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    competency = CompetencyFactory(action=action)
    question = InterviewQuestionFactory(action=action, competencies=[competency])
    InterviewQuestionFactory(action=action, round=2, competencies=[competency])
    application = ApplicationFactory(action=action, candidate=candidate)
    ConflictCheckFactory(action=action, sme=sme)
    certificate = CertificateFactory(
        action=action,
        state="audited",
        pdf_state="ready",
        pdf=ContentFile(clean_pdf(), name="certificate.pdf"),
    )
    return SimpleNamespace(
        action=action,
        announcement=action.announcement,
        competency=competency,
        question=question,
        application=application,
        document=ApplicationDocumentFactory(application=application),
        review=ResumeReviewFactory(application=application, sme=sme),
        interview=InterviewFactory(application=application, sme=sme),
        window=AvailabilityFactory(action=action, sme=sme),
        certificate=certificate,
        entry=EntryFactory(certificate=certificate, application=application),
        hr=hr,
        manager=manager,
        sme=sme,
    )


@dataclass
class World:
    sides: dict[str, SimpleNamespace]
    users: dict[str, object]
    # What a role held before it lost access, asked for in place of the assigned SME's objects.
    held: dict[str, dict[str, object]]

    def objects(self, side: str, role: str) -> SimpleNamespace:
        objects = self.sides[side]
        if side == "A" and role in self.held:
            return SimpleNamespace(**{**vars(objects), **self.held[role]})
        return objects


def build_world() -> World:
    agency_x, agency_y = AgencyFactory(), AgencyFactory()
    candidate, other_candidate = UserFactory(), UserFactory()
    a = _action_with_applicant(agency_x, candidate)
    b = _action_with_applicant(agency_y, other_candidate)
    sme_unassigned = ActionRoleFactory(action=a.action, role=Role.SME).user
    ConflictCheckFactory(action=a.action, sme=sme_unassigned)
    # Reviewed the candidate (HR accepted it) and was given their round-2 interview, then named them on
    # the conflict check: the recusal leaves an accepted review and the interview in place.
    sme_recused = ActionRoleFactory(action=a.action, role=Role.SME).user
    ConflictCheckFactory(action=a.action, sme=sme_recused)
    recused_review = ResumeReviewFactory(
        application=a.application,
        sme=sme_recused,
        slot=ResumeReview.Slot.SECOND,
        state=ResumeReview.State.ACCEPTED,
    )
    recused_interview = InterviewFactory(application=a.application, sme=sme_recused, round=2)
    RecusalFactory(application=a.application, sme=sme_recused)
    agency_hr = AgencyRoleFactory(agency=agency_x).user
    # A is pooled: agency Z takes part with its own hiring manager; A's certificate stays agency X's.
    agency_z = AgencyFactory()
    ParticipantFactory(action=a.action, agency=agency_x)
    ParticipantFactory(action=a.action, agency=agency_z)
    participant_manager = ActionRoleFactory(
        action=a.action, role=Role.HIRING_MANAGER, agency=agency_z, user=StaffFactory(agency=agency_z)
    ).user
    users = {
        "anonymous": None,
        "candidate": candidate,
        "other_candidate": other_candidate,
        "sme": a.sme,
        "sme_unassigned": sme_unassigned,
        "sme_recused": sme_recused,
        "hr": a.hr,
        "agency_hr": agency_hr,
        "other_agency_hr": b.hr,
        "manager": a.manager,
        "other_manager": b.manager,
        "participant_manager": participant_manager,
    }
    return World(
        sides={"A": a, "B": b},
        users=users,
        held={"sme_recused": {"review": recused_review, "interview": recused_interview}},
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


# --- the tests ------------------------------------------------------------------------------------------


def test_the_table_has_a_row_for_every_named_url_and_every_method_its_view_accepts():
    urls = named_urls()
    assert urls.keys() - TABLE.keys() == set(), "add these URLs to TABLE with their expected answers"
    assert TABLE.keys() - urls.keys() == set(), "TABLE names URLs that no longer exist"
    for name, view in urls.items():
        row = TABLE[name]
        for method in ("get", "post"):
            accepted = method in accepted_methods(view)
            assert accepted == (row.expect(method) is not None), (
                f"{name}: the view {'accepts' if accepted else 'refuses'} {method.upper()}; "
                f"{'add' if accepted else 'remove'} its answers"
            )


def _denial_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "smeqa.access"]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_role_gets_the_tables_answer_on_its_own_action_and_another(client, world, caplog, name):
    row = TABLE[name]
    view = named_urls()[name]
    problems = []
    caplog.set_level(logging.INFO, logger="smeqa.access")
    for method in sorted(accepted_methods(view)):
        expect = row.expect(method)
        for side in SIDES if row.kwargs else ("A",):
            for role in ROLES:
                user = world.users[role]
                client.logout()
                if user is not None:
                    client.force_login(user)
                url = reverse(name, kwargs=row.kwargs(world.objects(side, role)) if row.kwargs else None)
                caplog.clear()
                with transaction.atomic():
                    response = getattr(client, method)(url)
                    transaction.set_rollback(True)  # an allowed POST changes nothing for the next role
                cache.clear()
                want, got = expect.answer(side, role), response.status_code
                where = f"{role} {method.upper()} {url} (action {side})"
                if got != want:
                    problems.append(f"{where}: {got}, expected {want}")
                    continue
                sent_to_sign_in = role == "anonymous" and want == 302 and name != "logout"
                if sent_to_sign_in and not response["Location"].startswith(reverse("login")):
                    problems.append(f"{where}: sent to {response['Location']}, not to sign in")
                lines = _denial_lines(caplog)
                if got in DENIALS:
                    expected_line = (
                        f"denied status={got} user={user.pk if user else 'anonymous'} "
                        f"method={method.upper()} path={loggable_path(url)}"
                    )
                    if [r.getMessage() for r in lines] != [expected_line]:
                        problems.append(
                            f"{where}: logged {[r.getMessage() for r in lines]}, not one denial line"
                        )
                elif lines:
                    problems.append(f"{where}: {got} logged as a denial")
    assert not problems, "\n".join(problems)


def test_a_denial_line_names_the_user_by_id_only_and_never_the_links_key(client, world, caplog):
    caplog.set_level(logging.INFO, logger="smeqa.access")
    sme = world.users["sme_unassigned"]
    client.force_login(sme)
    assert client.get(reverse("assessments:sme_review", args=[world.sides["A"].review.pk])).status_code == 404
    client.logout()
    key = uuid.uuid4()
    assert client.get(reverse("assessments:interview_schedule", args=[key])).status_code == 404
    first, second = (r.getMessage() for r in _denial_lines(caplog))
    assert f"user={sme.pk} " in first
    assert sme.email not in first and sme.full_name not in first
    assert str(key) not in second
    assert second == "denied status=404 user=anonymous method=GET path=/interview/<token>/"


def test_a_recused_sme_no_longer_sees_the_applicant_in_their_queue_or_schedule(client, world):
    a = world.sides["A"]
    sme = world.users["sme_recused"]
    name = a.application.applicant_name
    queue_url = reverse("assessments:sme_queue", args=[a.action.pk])
    schedule_url = reverse("assessments:sme_interviews", args=[a.action.pk])
    client.force_login(sme)
    queue, schedule = client.get(queue_url), client.get(schedule_url)
    assert queue.status_code == schedule.status_code == 200
    assert name not in queue.text
    assert name not in schedule.text
    # The recusal is what hides them: without it, the accepted review and the interview show.
    Recusal.objects.filter(sme=sme).delete()
    assert name in client.get(queue_url).text
    assert name in client.get(schedule_url).text
