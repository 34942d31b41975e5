"""The data bench/pooled.py times: one pooled GS-12/13/14 action in the certificate phase built with
bulk_create (`build`), and an original certificate per slot with entries and A codes (`originals`).
Called after Django is set up in the benchmark's throwaway database."""

import argparse
import random
from datetime import timedelta

# agency name, code, duty location, grades with vacancies (count)
AGENCIES = [
    ("Department of Alpha", "ALPHA", "Washington, DC", {12: 3, 13: 2, 14: 1}),
    ("Department of Bravo", "BRAVO", "Denver, CO", {13: 2, 14: 1}),
    ("Department of Charlie", "CHARLIE", "Seattle, WA", {12: 4, 13: 2, 14: 1}),
]
EARLIER = ["received", "ineligible", "did_not_move_forward", "withdrawn", "no_response"]


def build(args: argparse.Namespace, rng: random.Random) -> dict:
    from django.utils import timezone

    from assessments.models import Interview
    from certificates.models import Adjudication, GradeCheck
    from hiring.models import (
        ActionRole,
        Agency,
        Application,
        ApplicationPlace,
        HiringAction,
        InterviewQuestion,
        Participant,
        Role,
        User,
        Vacancy,
    )  # fmt: skip
    from hiring.workflow import Phase, Status

    lead = Agency.objects.create(name="Office of Personnel Management", code="OPM")
    hr = User.objects.create_user("hr@bench.test", full_name="Bench HR", agency=lead)
    sme = User.objects.create_user("sme@bench.test", full_name="Bench SME", agency=lead)
    action = HiringAction.objects.create(
        agency=lead, title="Bench pooled IT Specialist", series="2210", grades=[12, 13, 14],
        full_performance_level=14, duty_locations=[a[2] for a in AGENCIES], phase=Phase.CERTIFICATE,
        grade_scores={"12": 70, "13": 85, "14": 100}, job_analysis_finalized_at=timezone.now(),
    )  # fmt: skip
    ActionRole.objects.create(action=action, user=hr, role=Role.HR)
    ActionRole.objects.create(action=action, user=sme, role=Role.SME)
    InterviewQuestion.objects.create(action=action, round=1, text="Round 1")
    InterviewQuestion.objects.create(action=action, round=2, text="Round 2")
    participants = []
    for name, code, location, vacancies in AGENCIES:
        agency = Agency.objects.create(name=name, code=code)
        participant = Participant.objects.create(action=action, agency=agency, added_by=hr)
        Vacancy.objects.bulk_create(
            Vacancy(participant=participant, duty_location=location, grade=g, count=n)
            for g, n in vacancies.items()
        )
        participants.append((participant, location))

    qualified_n = min(args.qualified, args.applicants)
    codes = ["CPS", "CP", "XP", "TP", "SSP"]
    qualified_flags = [True] * qualified_n + [False] * (args.applicants - qualified_n)
    rng.shuffle(qualified_flags)  # spread the qualified over the id range, as real applications are
    claims, rows = {}, []
    for n, qualified in enumerate(qualified_flags):
        if qualified:
            status = Status.QUALIFIED
            claim = rng.choice(codes) if rng.random() < 0.25 else "NV"
        else:
            status = Status.FAILED_ASSESSMENT if rng.random() < 0.1 else rng.choice(EARLIER)
            claim = rng.choice(codes) if rng.random() < 0.25 else "NV"
        claims[n] = claim
        rows.append(
            Application(
                action=action,
                applicant_name=f"Applicant {n:06d}",
                status=status,
                preference_claim=claim,
                lowest_grade=rng.choice([None, 12, 13, 14]) if qualified else None,
            )
        )
    applications = Application.objects.bulk_create(rows, batch_size=5000)
    qualified = [a for a in applications if a.status == Status.QUALIFIED]
    failed = [a for a in applications if a.status == Status.FAILED_ASSESSMENT]
    scores: dict[int, tuple[int, int]] = {a.pk: (rng.choice([1, 2]), rng.choice([1, 2])) for a in qualified}
    Interview.objects.bulk_create(
        [
            Interview(application_id=pk, action=action, round=r + 1, sme=sme, state=Interview.State.ACCEPTED, score=s)
            for pk, pair in scores.items()
            for r, s in enumerate(pair)
        ]
        + [
            Interview(application=a, action=action, round=1, sme=sme, state=Interview.State.ACCEPTED, score=0)
            for a in failed
        ],
        batch_size=5000,
    )  # fmt: skip
    places: dict[int, list[int]] = {}  # application id -> indexes into participants
    for a in qualified:
        places[a.pk] = sorted(rng.sample(range(len(participants)), rng.choice([1, 2, 3])))
    ApplicationPlace.objects.bulk_create(
        (
            ApplicationPlace(
                application_id=pk, participant=participants[i][0], duty_location=participants[i][1]
            )
            for pk, chosen in places.items()
            for i in chosen
        ),
        batch_size=5000,
    )
    GradeCheck.objects.bulk_create(
        (
            GradeCheck(
                application=a,
                grade=g,
                source=GradeCheck.Source.SF50,
                weeks=60 if meets else 30,
                meets=meets,
                checked_by=hr,
            )
            for a in qualified
            for g in (13, 14)
            for meets in [rng.random() < 0.8]
        ),
        batch_size=5000,
    )
    Adjudication.objects.bulk_create(
        (
            Adjudication(application=a, preference=a.preference_claim, documents=["dd214"], adjudicated_by=hr)
            for a in qualified
            if a.preference_claim != "NV"
        ),
        batch_size=5000,
    )
    return {
        "action": action, "hr": hr, "participants": participants, "qualified": qualified,
        "places": places, "scores": scores, "applications": len(applications), "failed": len(failed),
    }  # fmt: skip


def originals(built: dict, rng: random.Random, slots: list):
    """An original per slot (bulk), with entries drawn from those who accepted the slot's agency and some
    A codes; the first slot's has 500 names, 100 of them with an A on another agency's original."""
    from django.utils import timezone

    from certificates.models import Certificate, Disposition, Entry
    from hiring.models import Application

    action, hr = built["action"], built["hr"]
    by_agency: dict[int, list[int]] = {}
    for pk, chosen in built["places"].items():
        for i in chosen:
            by_agency.setdefault(built["participants"][i][0].agency_id, []).append(pk)
    today = timezone.localdate()
    certificates = Certificate.objects.bulk_create(
        Certificate(
            action=action,
            number=f"BENCH-{n:02d}",
            agency_id=s.agency_id,
            title=action.title,
            series="2210",
            grade=s.grade,
            full_performance_level=14,
            duty_location=s.duty_location,
            appointment_type="permanent",
            categories=["best"],
            issued_by=hr,
            issued_on=today,
            return_by=today + timedelta(days=30),
            state=Certificate.State.RETURNED,
        )
        for n, s in enumerate(slots, start=1)
    )
    target = certificates[0]  # 500 names
    target_names = rng.sample(by_agency[target.agency_id], 500)
    # 100 of them, each also accepted another agency: they are selected on that agency's original.
    elsewhere = [pk for pk in target_names if any(
        built["participants"][i][0].agency_id != target.agency_id for i in built["places"][pk]
    )][:100]  # fmt: skip
    # each is selected once, on one other original (at random) of an agency they accepted
    assigned: dict[int, list[int]] = {c.pk: [] for c in certificates}
    for pk in elsewhere:
        accepted = {built["participants"][i][0].agency_id for i in built["places"][pk]} - {target.agency_id}
        assigned[rng.choice([c.pk for c in certificates if c.agency_id in accepted])].append(pk)
    members: dict[int, list[int]] = {target.pk: target_names}
    selected: dict[int, set[int]] = {target.pk: set()}
    for c in certificates[1:]:
        forced = assigned[c.pk]
        skip = set(forced)
        pool = [pk for pk in by_agency[c.agency_id] if pk not in skip]
        members[c.pk] = forced + rng.sample(pool, min(len(pool), 300 - len(forced)))
        selected[c.pk] = set(forced)
    # a few more A codes on each original (the hiring managers' picks), not on anyone already selected,
    # and elsewhere than the 500-name original not on its names (they would count as selected elsewhere)
    taken = {pk for s in selected.values() for pk in s}
    on_target = set(target_names)
    for c in certificates:
        extra = [pk for pk in members[c.pk][:40] if pk not in taken and (c is target or pk not in on_target)][
            :3
        ]
        selected[c.pk] |= set(extra)
        taken |= set(extra)
    names_of = dict(Application.objects.filter(action=action).values_list("pk", "applicant_name"))
    Entry.objects.bulk_create(
        (
            Entry(
                certificate=c,
                application_id=pk,
                rank=rank,
                name=names_of[pk],
                preference="NV",
                score=100,
                category="best",
                earned_category="best",
                why="Best Qualified.",
                disposition=Disposition.SELECTED if pk in selected[c.pk] else Disposition.NOT_SELECTED,
                disposition_on=today,
            )
            for c in certificates
            for rank, pk in enumerate(members[c.pk], start=1)
        ),
        batch_size=5000,
    )
    with_a = sum(len(s) for s in selected.values())
    return certificates, target, len(elsewhere), sum(len(m) for m in members.values()), with_a
