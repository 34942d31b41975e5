"""Phase 5 through the services and pages: adjudication, issuing, dispositions and the pass-over block,
return and audit, and sharing under the Competitive Service Act."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import Interview
from certificates import services, sharing
from certificates.models import Certificate, Disposition, Entry, ShareRequest
from hiring import services as hiring_services
from hiring.models import AgencyRole, Application, Notice, Role
from hiring.workflow import Actor, NoticeCode, Phase, Status
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    AgencyRoleFactory,
    ApplicationFactory,
    HiringActionFactory,
    InterviewFactory,
    StaffFactory,
    UserFactory,
    start_resume_review,
)
from tests.pooled import walk

pytestmark = pytest.mark.django_db

# name: (round scores, preference claimed, opted in to sharing)
PEOPLE = {
    "Ada Best": ((2, 2), "NV", True),
    "Ben Vet": ((1, 1), "CPS", True),
    "Cy Well": ((1, 2), "TP", False),
    "Dee Well": ((2, 1), "NV", True),
    "Eve Qual": ((1, 1), "NV", True),
}
DOCUMENTS = {"CPS": ["va_letter", "dd214"], "TP": ["dd214"]}


@pytest.fixture
def world(db):
    """An action in the certificate phase, GS-13, not scientific/professional, with five applicants who
    passed both interview rounds with the scores above (interview rows stand for accepted sheets)."""
    action = HiringActionFactory(title="Product Manager", grades=[13], duty_locations=["Washington, DC"])
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    AgencyRoleFactory(agency=action.agency, user=hr)
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    from tests.factories import InterviewQuestionFactory

    InterviewQuestionFactory(action=action, round=2)
    applications = {}
    for name, (_, claim, opted_in) in PEOPLE.items():
        applications[name] = ApplicationFactory(action=action, candidate=UserFactory(full_name=name))
        Application.objects.filter(pk=applications[name].pk).update(
            applicant_name=name, preference_claim=claim, sharing_opt_in=opted_in
        )
    start_resume_review(action)
    for application in applications.values():
        walk(application, Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD)
    hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
    )
    for name, application in applications.items():
        walk(application, Status.IN_ROUND_1, Status.IN_ROUND_2, Status.QUALIFIED)
        for round_, score in enumerate(PEOPLE[name][0], start=1):
            InterviewFactory(application=application, sme=sme, round=round_, state="accepted", score=score)
    action = hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.ASSESSMENTS
    )
    for name, (_, claim, _) in PEOPLE.items():
        if claim != "NV":
            services.adjudicate(
                application_id=applications[name].pk, hr=hr, preference=claim, documents=DOCUMENTS[claim],
                disability_percent=40 if claim == "CPS" else None,
            )  # fmt: skip
    return {"action": action, "hr": hr, "manager": manager, "applications": applications}


def issue(world, **kwargs):
    return services.certificate_issue(
        action_id=world["action"].pk, hr=world["hr"], grade=13, duty_location="Washington, DC",
        return_by=timezone.localdate() + timedelta(days=30), **kwargs,
    )  # fmt: skip


def entry(certificate, name) -> Entry:
    return certificate.entries.get(name=name)


def dispose(world, certificate, name, code, **kwargs):
    certificate.refresh_from_db()
    return services.disposition_record(
        entry_id=entry(certificate, name).pk, user=world["manager"], code=code,
        on=kwargs.pop("on", timezone.localdate()), version=certificate.version, **kwargs,
    )  # fmt: skip


# --- adjudication -------------------------------------------------------------------------------


def test_preference_is_adjudicated_only_for_those_who_passed_and_only_on_proof(world):
    hr = world["hr"]
    ada = world["applications"]["Ada Best"]
    with pytest.raises(DomainError, match="CPS needs a rating of 30% or more"):
        services.adjudicate(
            application_id=ada.pk, hr=hr, preference="CPS", documents=["va_letter"], disability_percent=20
        )
    with pytest.raises(DomainError, match="CP needs a compensable rating"):
        services.adjudicate(
            application_id=ada.pk, hr=hr, preference="CP", documents=["va_letter"], disability_percent=30
        )
    with pytest.raises(DomainError, match="rests on VA or military proof"):
        services.adjudicate(application_id=ada.pk, hr=hr, preference="XP", documents=["sf15"])
    # A missing SF-15 alone does not deny a 10-point claim (rule 37).
    decision = services.adjudicate(application_id=ada.pk, hr=hr, preference="XP", documents=["va_letter"])
    assert decision.preference == "XP"
    tentative = services.adjudicate(application_id=ada.pk, hr=hr, preference="TP", documents=["active_duty"])
    assert tentative.tentative is True


def test_a_failed_applicant_cannot_be_adjudicated(world):
    failed = Application.objects.filter(action=world["action"]).first()
    Application.objects.filter(pk=failed.pk).update(status=Status.FAILED_ASSESSMENT)
    with pytest.raises(DomainError, match="only for applicants who passed every assessment"):
        services.adjudicate(application_id=failed.pk, hr=world["hr"], preference="TP", documents=["dd214"])


# --- issuing ------------------------------------------------------------------------------------


def test_the_certificate_lists_the_highest_category_with_floats_and_refers_with_notices(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue(world)
    # Ada earned 100; Ben (CPS, 70) floats to Best Qualified. Two in Best, so it merges with Well, and the
    # merged group lists preference eligibles first: Ben (CPS), Cy (TP), then Ada and Dee.
    names = list(certificate.entries.order_by("rank").values_list("name", "preference", "category"))
    assert names == [
        ("Ben Vet", "CPS", "best"),
        ("Cy Well", "TP", "well"),
        ("Ada Best", "NV", "best"),
        ("Dee Well", "NV", "well"),
    ]
    assert certificate.merged and certificate.categories == ["best", "well"]
    statuses = dict(
        Application.objects.filter(action=world["action"]).values_list("applicant_name", "status")
    )
    assert statuses == {
        "Ada Best": Status.REFERRED, "Ben Vet": Status.REFERRED, "Cy Well": Status.REFERRED,
        "Dee Well": Status.REFERRED, "Eve Qual": Status.NOT_REFERRED,
    }  # fmt: skip
    assert Notice.objects.filter(code=NoticeCode.ELSR).count() == 4
    assert Notice.objects.filter(code=NoticeCode.ELSN, application__applicant_name="Eve Qual").count() == 1
    assert "floats to Best Qualified" in entry(certificate, "Ben Vet").why


def test_issuing_twice_makes_one_certificate(world):
    issue(world)
    with pytest.raises(DomainError, match="already issued"):
        issue(world)
    assert Certificate.objects.filter(action=world["action"]).count() == 1


def test_an_unadjudicated_claim_blocks_issuing(world):
    Application.objects.filter(pk=world["applications"]["Cy Well"].pk).update(preference_claim="XP")
    world["applications"]["Cy Well"].adjudication.delete()
    with pytest.raises(DomainError, match="Adjudicate veterans' preference first for: Cy Well"):
        issue(world)


def test_hrs_certificate_page_follows_each_change_after_it_was_first_seen(world, client):
    """The page's preview is cached (certificates.services.preview_cached): every change must show."""
    client.force_login(world["hr"])
    url = reverse("certificates:hr_certificates", args=[world["action"].pk])

    def listed():
        return [p.name for p in client.get(url).context["listed"].names]

    assert listed() == ["Ben Vet", "Cy Well", "Ada Best", "Dee Well"]
    # A claim adjudicated again as no preference: Ben no longer floats above the others.
    services.adjudicate(
        application_id=world["applications"]["Ben Vet"].pk, hr=world["hr"], preference="NV", documents=[]
    )
    assert "Ben Vet" not in listed()
    # A claim waiting for adjudication shows first and blocks issuing.
    cy = world["applications"]["Cy Well"]
    Application.objects.filter(pk=cy.pk).update(preference_claim="XP")
    cy.adjudication.delete()
    dee = world["applications"]["Dee Well"]
    hiring_services.application_transition(
        application_id=dee.pk, to_status=Status.WITHDRAWN, actor=dee.candidate, actor_role=Actor.CANDIDATE,
        reason="Withdrawn by the candidate.",
    )  # fmt: skip
    page = client.get(url)
    assert [w.applicant_name for w in page.context["waiting"]] == ["Cy Well"]
    assert "Dee Well" not in [p.name for p in page.context["listed"].names]


def test_a_scientific_professional_gs_13_keeps_cps_where_earned(world):
    type(world["action"]).objects.filter(pk=world["action"].pk).update(scientific_professional=True)
    certificate = issue(world)
    # Ben's CPS no longer floats: he stays Qualified, below the merged Best + Well group of three.
    assert list(certificate.entries.order_by("rank").values_list("name", flat=True)) == [
        "Cy Well",
        "Ada Best",
        "Dee Well",
    ]
    assert Application.objects.get(applicant_name="Ben Vet").status == Status.NOT_REFERRED


# --- selection ----------------------------------------------------------------------------------


def test_selecting_a_non_preference_eligible_is_blocked_until_the_veterans_are_handled(world):
    certificate = issue(world)
    with pytest.raises(
        DomainError, match="preference eligibles Ben Vet, Cy Well in the same category are not yet selected"
    ):
        dispose(world, certificate, "Ada Best", Disposition.SELECTED)
    dispose(world, certificate, "Cy Well", Disposition.DECLINED, decline_reason="Took another job (DA).")
    with pytest.raises(DomainError, match="Ben Vet"):
        dispose(world, certificate, "Ada Best", Disposition.SELECTED)
    # A CPS pass-over needs OPM's decision after the veteran's 15 days.
    certificate.refresh_from_db()
    ben = entry(certificate, "Ben Vet")
    with pytest.raises(DomainError, match="OPM's decision"):
        services.pass_over_record(
            entry_id=ben.pk, hr=world["hr"], reasons="Suitability.", version=certificate.version
        )
    today = timezone.localdate()
    services.pass_over_record(
        entry_id=ben.pk, hr=world["hr"], reasons="Failed the suitability check.", opm_decision="Sustained",
        notified_on=today - timedelta(days=20), decided_on=today - timedelta(days=2), version=certificate.version,
    )  # fmt: skip
    dispose(world, certificate, "Ada Best", Disposition.SELECTED)
    assert entry(certificate, "Ada Best").disposition == Disposition.SELECTED


def test_return_needs_every_disposition_and_audit_sends_selection_notices(
    world, django_capture_on_commit_callbacks
):
    certificate = issue(world)
    dispose(world, certificate, "Ben Vet", Disposition.SELECTED)
    certificate.refresh_from_db()
    with pytest.raises(DomainError, match="Still without one: Cy Well, Ada Best, Dee Well"):
        services.certificate_return(
            certificate_id=certificate.pk, user=world["manager"], version=certificate.version
        )
    for name in ("Cy Well", "Ada Best", "Dee Well"):
        dispose(world, certificate, name, Disposition.NOT_SELECTED_CONTACTED)
    certificate.refresh_from_db()
    services.certificate_return(
        certificate_id=certificate.pk, user=world["manager"], version=certificate.version
    )
    certificate.refresh_from_db()
    with pytest.raises(DomainError, match="returned"):
        dispose(world, certificate, "Ada Best", Disposition.SELECTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_audit(certificate_id=certificate.pk, hr=world["hr"], version=certificate.version)
    statuses = dict(
        Application.objects.filter(action=world["action"]).values_list("applicant_name", "status")
    )
    assert statuses["Ben Vet"] == Status.SELECTED
    assert statuses["Ada Best"] == statuses["Cy Well"] == Status.NOT_SELECTED
    assert Certificate.objects.get(pk=certificate.pk).state == Certificate.State.AUDITED


def test_a_stale_page_cannot_record_a_disposition(world):
    certificate = issue(world)
    stale = certificate.version
    dispose(world, certificate, "Ben Vet", Disposition.SELECTED)
    with pytest.raises(DomainError, match="changed since you loaded the page"):
        services.disposition_record(
            entry_id=entry(certificate, "Cy Well").pk,
            user=world["manager"],
            code="NS",
            on=None,
            version=stale,
        )


# --- sharing ------------------------------------------------------------------------------------


def audited(world):
    certificate = issue(world)
    dispose(world, certificate, "Ben Vet", Disposition.SELECTED)
    for name in ("Cy Well", "Ada Best", "Dee Well"):
        dispose(world, certificate, name, Disposition.NOT_SELECTED_CONTACTED)
    certificate.refresh_from_db()
    services.certificate_return(
        certificate_id=certificate.pk, user=world["manager"], version=certificate.version
    )
    certificate.refresh_from_db()
    return services.certificate_audit(
        certificate_id=certificate.pk, hr=world["hr"], version=certificate.version
    )


@pytest.fixture
def other_hr(db):
    agency = AgencyFactory(name="Department of Elsewhere", code="ELSE")
    return AgencyRoleFactory(agency=agency, user=StaffFactory(agency=agency)).user


def request_copy(certificate, hr, **changes):
    position = {
        "position_title": "Product Manager", "series": certificate.series, "grade": 13, "full_performance_level": 13,
        "duty_location": "Washington, DC", "appointment_type": "permanent", **changes,
    }  # fmt: skip
    agency_id = AgencyRole.objects.get(user=hr).agency_id
    return sharing.share_request(certificate_id=certificate.pk, hr=hr, agency_id=agency_id, **position)


def test_an_unaudited_certificate_is_refused_and_the_refusal_is_logged(world, other_hr):
    certificate = issue(world)
    log = request_copy(certificate, other_hr)
    assert log.copy is None and "not been audited" in log.refusals[0]
    assert ShareRequest.objects.filter(certificate=certificate).count() == 1


def test_a_mismatched_position_is_refused_naming_each_condition(world, other_hr):
    certificate = audited(world)
    log = request_copy(
        certificate, other_hr, grade=12, duty_location="Denver, CO", appointment_type="temporary"
    )
    assert log.copy is None
    assert [r.split(":")[0] for r in log.refusals] == [
        "The grade differs", "The duty location differs", "Shared certificates are only for permanent or term appointments."
    ]  # fmt: skip


def test_a_shared_copy_keeps_order_with_only_opted_in_unselected_names_and_tells_them(
    world, other_hr, django_capture_on_commit_callbacks
):
    certificate = audited(world)
    with django_capture_on_commit_callbacks(execute=True):
        log = request_copy(certificate, other_hr)
    copy = log.copy
    # Ben was selected by the original agency; Cy did not opt in.
    assert list(copy.entries.order_by("rank").values_list("name", flat=True)) == ["Ada Best", "Dee Well"]
    assert copy.issued_on == certificate.issued_on and copy.source == certificate
    told = [m for m in mail.outbox if "Department of Elsewhere will consider you" in m.subject]
    assert sorted(m.to[0] for m in told) == sorted(
        Application.objects.filter(applicant_name__in=["Ada Best", "Dee Well"]).values_list(
            "candidate__email", flat=True
        )
    )
    # The receiving agency cannot share it onward or select before its internal notice.
    with pytest.raises(DomainError, match="cannot be shared onward"):
        sharing.share_request(
            certificate_id=copy.pk, hr=other_hr, agency_id=copy.agency_id, position_title="x", series="2210", grade=13,
            full_performance_level=13, duty_location="Washington, DC", appointment_type="permanent",
        )  # fmt: skip
    ada = copy.entries.get(name="Ada Best")
    with pytest.raises(DomainError, match="post internal notice"):
        services.disposition_record(
            entry_id=ada.pk, user=other_hr, code="A", on=timezone.localdate(), version=copy.version
        )
    sharing.internal_notice_record(
        certificate_id=copy.pk,
        hr=other_hr,
        closed_on=timezone.localdate() - timedelta(days=1),
        version=copy.version,
    )
    copy.refresh_from_db()
    services.disposition_record(
        entry_id=ada.pk, user=other_hr, code="A", on=timezone.localdate(), version=copy.version
    )
    assert copy.entries.get(name="Ada Best").disposition == "A"
    # The original's hiring manager cannot act on the copy.
    with pytest.raises(DomainError, match="Only the selecting official"):
        copy.refresh_from_db()
        services.disposition_record(
            entry_id=copy.entries.get(name="Dee Well").pk,
            user=world["manager"],
            code="NS",
            on=None,
            version=copy.version,
        )


def test_a_correction_to_the_original_reaches_every_copy(
    world, other_hr, client, django_capture_on_commit_callbacks
):
    certificate = audited(world)
    copy = request_copy(certificate, other_hr).copy
    with django_capture_on_commit_callbacks(execute=True):
        sharing.correction_record(
            certificate_id=certificate.pk, hr=world["hr"], note="Dee Well's score is 85, not 100."
        )
    assert any(m.to == [other_hr.email] and "Correction" in m.subject for m in mail.outbox)
    client.force_login(other_hr)
    page = client.get(reverse("certificates:certificate", args=[copy.pk])).content.decode()
    assert "Dee Well&#x27;s score is 85, not 100." in page or "Dee Well's score is 85, not 100." in page


def test_sharing_after_240_days_is_refused(world, other_hr):
    certificate = audited(world)
    Certificate.objects.filter(pk=certificate.pk).update(issued_on=timezone.localdate() - timedelta(days=240))
    log = request_copy(certificate, other_hr)
    assert log.copy is None and "The 240 days from the original issue date ended" in log.refusals[0]


# --- pages --------------------------------------------------------------------------------------


def test_the_hiring_manager_sees_the_certificate_and_each_candidates_interview_notes(world, client):
    certificate = issue(world)
    Interview.objects.filter(application__applicant_name="Ada Best", round=1).update(
        notes={"1": "TRANSCRIPT-OF-ADA"}, analysis="ANALYSIS-OF-ADA"
    )
    client.force_login(world["manager"])
    page = client.get(reverse("certificates:certificate", args=[certificate.pk])).content.decode()
    assert page.index("Ben Vet") < page.index("Cy Well") < page.index("Ada Best")
    package = client.get(
        reverse("certificates:entry_package", args=[certificate.pk, entry(certificate, "Ada Best").pk])
    ).content.decode()
    assert "ANALYSIS-OF-ADA" in package
    outsider = ActionRoleFactory(role=Role.HIRING_MANAGER).user
    client.force_login(outsider)
    assert client.get(reverse("certificates:certificate", args=[certificate.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)  # real commits, so the PDF is queued as in production
def test_with_redis_down_issuing_succeeds_and_the_sweep_draws_the_pdf_later(world, client, caplog):
    from certificates import tasks
    from tests.worker.brokers import free_port, use_broker

    client.force_login(world["hr"])
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):  # Redis stopped
        response = client.post(
            reverse("certificates:hr_issue", args=[world["action"].pk]),
            {"grade": 13, "duty_location": "Washington, DC",
             "return_by": (timezone.localdate() + timedelta(days=30)).isoformat()},
            follow=True,
        )  # fmt: skip
    assert response.status_code == 200
    certificate = Certificate.objects.get(action=world["action"])
    assert certificate.pdf_state == Certificate.Pdf.PENDING
    assert f"certificate PDF left for the sweep ({certificate.pk})" in caplog.text
    # Redis is back (tasks run in-process here): beat's sweep draws it.
    assert tasks.certificate_pdfs_render_pending.delay().get() == 1
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.Pdf.READY
    assert tasks.certificate_pdfs_render_pending.delay().get() == 0
