"""seed_demo's pooled action (issue 10; docs/adr/0015-pooled-hiring.md), through the real services.

Three agencies fill GS-12/13/14 vacancies from one announcement: the Department of Demonstration
(lead, Washington, DC), Interior (Denver, CO) and Energy (Remote), each with its own hiring manager
(manager@, manager2@, manager3@demo.test). Five applicants chose different places and lowest grades;
their interviews are scored, HR recorded time in grade, each agency's certificates are issued, and
Interior has selected one eligible, who shows as selected elsewhere on Energy's certificates.
"""

from datetime import timedelta

from django.utils import timezone

from hiring import services
from hiring.models import Role
from hiring.workflow import Phase, Status

POOL_TITLE = "Digital Services Lead (multi-agency pool)"
# Final score required at each grade (domain-research §1.1: one assessment, a score per grade).
GRADE_SCORES = {"12": 70, "13": 85, "14": 100}
# Vacancies per member, by grade: the lead and Interior hire at 13 and 14, Energy at every grade.
VACANCIES = [{13: 2, 14: 1}, {13: 2, 14: 1}, {12: 1, 13: 1, 14: 1}]
# Per applicant: which members' places they accept (by index), the lowest grade they take (None:
# any), round scores (2, 2) = 100, (1, 2) = 85, (1, 1) = 70, and 52 weeks at GS-12 / GS-13 or not.
CHOICES = [
    ((0, 1, 2), 13, (2, 2), {13: True, 14: True}),  # the demo candidate: everywhere from GS-13, up to 14
    ((0,), 12, (1, 2), {13: True, 14: False}),  # the lead's office only; qualifies at 13
    ((1, 2), None, (2, 2), {13: True, 14: False}),  # scores for 14 but under 52 weeks at GS-13
    ((0, 1, 2), 14, (2, 1), {13: True, 14: True}),  # takes only 14, qualifies at 13: on no certificate
    ((2,), 12, (1, 1), {13: False, 14: False}),  # Energy only, qualifies at 12
]


def seed_pooled_action(command, agency, hr, manager, smes, pool_agencies, people) -> None:
    """The pooled action, from its pool set-up to Interior's selection. `command` is seed_demo's
    Command (its job analysis, publishing, walking and interview helpers)."""
    from certificates import grade_checks, placing
    from certificates import services as certificates

    action = services.hiring_action_create(
        agency=agency, actor=hr, title=POOL_TITLE, series="2210", grades=[12, 13, 14],
        full_performance_level=14, duty_locations=["Washington, DC", "Denver, CO", "Remote"],
        vacancies=9, specialized_experience="52 weeks at GS-11 leading digital service delivery.",
    )  # fmt: skip
    # Set while the job analysis is a draft, as HR does on the job analysis form.
    type(action).objects.filter(pk=action.pk).update(grade_scores=GRADE_SCORES)
    for sme in smes:
        services.action_role_grant(action=action, user=sme, role=Role.SME, actor=hr)
    places = _pool(action, hr, [(agency, manager, "Washington, DC"), *pool_agencies], VACANCIES)
    from .seed_demo import PRODUCT_COMPETENCIES, PRODUCT_DUTIES, PRODUCT_QUESTIONS

    command._job_analysis(action, hr, PRODUCT_COMPETENCIES, PRODUCT_QUESTIONS)
    action = services.job_analysis_finalize(action_id=action.pk, actor=hr)
    command._publish(action, hr, PRODUCT_DUTIES)
    applications = [
        services.application_submit(
            action=action,
            candidate=person,
            places=[places[i] for i in chosen],
            lowest_grade=lowest,
            sharing_opt_in=n != 1,
        )
        for n, (person, (chosen, lowest, _, _)) in enumerate(zip(people, CHOICES, strict=True))
    ]
    action = command._advance(action, hr, to=Phase.RESUME_REVIEW)
    for application in applications:
        command._walk(application, hr, [Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD])
    action = command._advance(action, hr, to=Phase.ASSESSMENTS)
    command._scored(action, hr, smes[:2], applications, [c[2] for c in CHOICES], days_ago=20, starts_in=11)
    action = command._advance(action, hr, to=Phase.CERTIFICATE)

    # Time in grade from each SF-50 (rule 42): a current GS-12 for 60 weeks, after GS-11.
    today = timezone.localdate()
    for application, (_, _, _, meets) in zip(applications, CHOICES, strict=True):
        at_12 = today - timedelta(weeks=60 if meets[13] else 30)
        spans = [
            [11, (at_12 - timedelta(weeks=80)).isoformat(), at_12.isoformat()],
            [12, at_12.isoformat(), None],
        ]
        if meets[14]:
            at_13 = today - timedelta(weeks=56)
            spans = [
                [12, (at_13 - timedelta(weeks=60)).isoformat(), at_13.isoformat()],
                [13, at_13.isoformat(), None],
            ]
        grade_checks.grade_check_record(application_id=application.pk, hr=hr, spans=spans, source="sf50")

    issued = {}
    for row in placing.page(action).rows:
        if row.listed:
            slot = row.slot
            issued[(slot.agency_id, slot.grade)] = certificates.certificate_issue(
                action_id=action.pk, hr=hr, grade=slot.grade, duty_location=slot.duty_location,
                return_by=today + timedelta(days=30), agency_id=slot.agency_id,
            )  # fmt: skip

    # Interior's hiring manager selects the applicant who also accepted Energy: Energy's certificates
    # then show them as selected elsewhere.
    interior, interior_manager, _ = pool_agencies[0]
    certificate = issued[(interior.pk, 13)]
    entry = certificate.entries.get(application=applications[2])
    certificates.disposition_record(
        entry_id=entry.pk, user=interior_manager, code="A", on=today, version=certificate.version
    )


OPEN_POOL_TITLE = "Product Manager (governmentwide pool)"


def seed_open_pool(command, agency, hr, manager, pool_agencies) -> None:
    """A second pooled action, open for applications with no applicants yet, so a candidate can apply
    choosing agencies, locations and the lowest grade (GS-13/14; Interior and Energy, with the lead)."""

    action = services.hiring_action_create(
        agency=agency, actor=hr, title=OPEN_POOL_TITLE, series="2210", grades=[13, 14], full_performance_level=14,
        duty_locations=["Washington, DC", "Denver, CO", "Remote"], vacancies=5,
        specialized_experience="52 weeks at GS-12 leading a digital product from discovery to delivery.",
    )  # fmt: skip
    type(action).objects.filter(pk=action.pk).update(grade_scores={"13": 85, "14": 100})
    _pool(
        action, hr, [(agency, manager, "Washington, DC"), *pool_agencies], ({13: 1}, {13: 1, 14: 1}, {14: 2})
    )
    from .seed_demo import PRODUCT_COMPETENCIES, PRODUCT_DUTIES, PRODUCT_QUESTIONS

    command._job_analysis(action, hr, PRODUCT_COMPETENCIES, PRODUCT_QUESTIONS)
    action = services.job_analysis_finalize(action_id=action.pk, actor=hr)
    command._publish(action, hr, PRODUCT_DUTIES)


def _pool(action, hr, members, vacancies) -> list[tuple[int, str]]:
    """HR's Pool tab through the services: each (agency, hiring manager, duty location) of `members`
    joins with its {grade: count} of `vacancies`. Returns each participant's (id, location)."""
    from hiring.services import pools

    places = []
    for (member, member_manager, location), wanted in zip(members, vacancies, strict=True):
        participant = pools.pool_participant_add(action_id=action.pk, hr=hr, agency_id=member.pk)
        for grade, count in wanted.items():
            pools.vacancy_set(
                participant_id=participant.pk, hr=hr, duty_location=location, grade=grade, count=count
            )
        pools.pool_manager_grant(
            action_id=action.pk, hr=hr, participant_id=participant.pk, email=member_manager.email
        )
        places.append((participant.pk, location))
    return places
