"""Every write to SME work: conflict checks, recusals, assignments, resume reviews, HR quality review
and the resume-review results. One transaction each, with its audit row."""

from collections import Counter
from functools import partial

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from hiring import services as hiring_services
from hiring.models import ActionRole, Application, AuditEvent, Competency, HiringAction, Role, User
from hiring.workflow import Actor, Phase, Status
from smeqa.errors import DomainError

from . import interviews, rules
from .models import ConflictCheck, Recusal, ResumeReview, ReviewLoad
from .selectors import DONE, OPEN, signature_update_sql

RR = ResumeReview.State
LIVE = ~Q(state=RR.WITHDRAWN)


def reviews_changed(reviews) -> None:
    """Bring the stored counts in line after `reviews` changed: each application's review signature
    (one UPDATE) and each SME's ReviewLoad row. Every service that changes reviews calls this once,
    last, before it commits, so HR's dashboard counts rows it can read directly (selectors explains
    the signature). Load rows are locked in (action, SME) order, so two writers queue, not deadlock.
    """
    reviews = list(reviews)
    ids = sorted({r.application_id for r in reviews})
    if not ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):  # under SQLite's 32,766 parameters
            cursor.execute(*signature_update_sql(ids[start : start + 5000]))
    pairs: dict[int, set[int]] = {}
    for review in reviews:
        pairs.setdefault(review.action_id, set()).add(review.sme_id)
    for action_id, sme_ids in sorted(pairs.items()):
        _loads_recount(action_id, sorted(sme_ids))


def _loads_recount(action_id: int, sme_ids: list[int] | None = None) -> None:
    """Recount ReviewLoad rows for `sme_ids` on the action (all its reviewers when None) from their
    reviews, under a lock on those rows: a writer that waited sees the other's committed reviews."""
    reviews = ResumeReview.objects.filter(action_id=action_id).filter(LIVE)
    if sme_ids is None:
        sme_ids = sorted(
            set(ResumeReview.objects.filter(action_id=action_id).values_list("sme_id", flat=True))
        )
    else:
        reviews = reviews.filter(sme_id__in=sme_ids)
    ReviewLoad.objects.bulk_create(
        [ReviewLoad(action_id=action_id, sme_id=sme_id) for sme_id in sme_ids], ignore_conflicts=True
    )
    loads = {
        load.sme_id: load
        for load in ReviewLoad.objects.select_for_update()
        .filter(action_id=action_id, sme_id__in=sme_ids)
        .order_by("sme_id")
    }
    for load in loads.values():
        load.assigned = load.done = load.open = 0
        load.oldest_open_at = None
    rows = (
        reviews.values_list("sme_id", "state").annotate(n=Count("id"), oldest=Min("assigned_at")).order_by()
    )
    for sme_id, state, n, oldest in rows:
        load = loads[sme_id]
        load.assigned += n
        if state in DONE:
            load.done += n
        elif state in OPEN:
            load.open += n
            if load.oldest_open_at is None or oldest < load.oldest_open_at:
                load.oldest_open_at = oldest
    ReviewLoad.objects.bulk_update(loads.values(), ["assigned", "done", "open", "oldest_open_at"])


def review_loads_rebuild(*, action_id: int) -> None:
    """Recount every reviewer's ReviewLoad on the action: for loaders that write reviews in bulk, and
    the data migration."""
    with transaction.atomic():
        _loads_recount(action_id)


# An audit row of this module's subject; the other fields are AuditEvent's (unnamed states are "").
_audit = partial(AuditEvent.objects.create, subject=AuditEvent.Subject.RESUME_REVIEW)


def _require_sme(action: HiringAction, sme: User) -> None:
    if not ActionRole.objects.filter(action=action, user=sme, role=Role.SME).exists():
        raise DomainError("You are not a subject matter expert on this hiring action.")


# --- conflicts and recusals ----------------------------------------------------------------------


@transaction.atomic
def conflict_check_complete(
    *, action_id: int, sme: User, recusals: dict[int, tuple[str, str]]
) -> ConflictCheck:
    """Record the SME's conflicts (application id → (reason, note)) and that they checked the list;
    then assign them work. Writes recusals, the check and audit rows."""
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    _require_sme(action, sme)
    changed = []
    for application_id, (reason, note) in recusals.items():
        _recuse(action=action, sme=sme, application_id=application_id, reason=reason, note=note)
        for review in ResumeReview.objects.select_for_update().filter(
            application_id=application_id,
            sme=sme,
            state__in=[RR.ASSIGNED, RR.DRAFT, RR.RETURNED, RR.SUBMITTED],
        ):
            _withdraw(review)
            changed.append(review)
        interviews.interviews_withdraw_recused(action=action, sme=sme, application_id=application_id)
    check, _ = ConflictCheck.objects.get_or_create(action=action, sme=sme)
    _audit(
        action_id=action.pk, actor=sme, actor_role=Actor.SME,
        reason=f"Conflict check completed; {len(recusals)} recusal(s).",
    )  # fmt: skip
    if action.phase == Phase.RESUME_REVIEW:
        changed += _assign(action)
    reviews_changed(changed)
    return check


def _recuse(*, action: HiringAction, sme: User, application_id: int, reason: str, note: str) -> Recusal:
    application = Application.objects.get(pk=application_id, action=action)
    if reason not in Recusal.Reason.values:
        raise DomainError("Choose why you are recusing.", field="reason")
    recusal, _ = Recusal.objects.get_or_create(
        application=application, sme=sme, defaults={"reason": reason, "note": note}
    )
    _audit(
        action_id=action.pk, actor=sme, actor_role=Actor.SME, application_id=application.pk,
        reason=f"{sme} recused: {recusal.get_reason_display()}.",
    )  # fmt: skip
    return recusal


@transaction.atomic
def recusal_declare(*, review_id: int, sme: User, reason: str, note: str = "") -> None:
    """An SME recuses from an applicant mid-review: the review is withdrawn and reassigned.
    Writes the recusal and audit rows."""
    review = _locked_review(review_id)
    if review.sme_id != sme.pk:
        raise DomainError("This review is not assigned to you.")
    if review.state == RR.ACCEPTED:
        raise DomainError("HR has accepted this review; ask HR to reopen it before recusing.")
    _recuse(action=review.action, sme=sme, application_id=review.application_id, reason=reason, note=note)
    _withdraw(review)
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=review.action_id)
    reviews_changed([review, *_assign(action)])


def _withdraw(review: ResumeReview) -> None:
    review.state = RR.WITHDRAWN
    review.version += 1
    review.save(update_fields=["state", "version"])


@transaction.atomic
def sme_remove(*, action_id: int, sme: User, actor: User) -> int:
    """HR takes an SME off the action: their unfinished reviews go to others. Returns how many moved."""
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    hiring_services.require_role(action=action, user=actor, role=Role.HR)
    ActionRole.objects.filter(action=action, user=sme, role=Role.SME).delete()
    unfinished = list(
        ResumeReview.objects.select_for_update().filter(
            action=action, sme=sme, state__in=[RR.ASSIGNED, RR.DRAFT, RR.RETURNED]
        )
    )
    for review in unfinished:
        _withdraw(review)
    _audit(
        action_id=action.pk,
        actor=actor,
        actor_role=Actor.HR,
        reason=f"{sme} removed as SME; {len(unfinished)} review(s) reassigned.",
    )
    reviews_changed([*unfinished, *_assign(action)])
    return len(unfinished)


# --- assignment ----------------------------------------------------------------------------------


def _eligible_loads(action: HiringAction) -> dict[int, int]:
    """Open review load per SME who may review now (SME role and conflict check done)."""
    smes = set(
        ActionRole.objects.filter(action=action, role=Role.SME).values_list("user_id", flat=True)
    ) & set(ConflictCheck.objects.filter(action=action).values_list("sme_id", flat=True))
    loads = dict.fromkeys(smes, 0)
    open_counts = (
        ResumeReview.objects.filter(
            action=action, sme_id__in=smes, state__in=[RR.ASSIGNED, RR.DRAFT, RR.RETURNED]
        )
        .values_list("sme_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    loads.update(dict(open_counts))
    return loads


@transaction.atomic
def resume_reviews_assign(*, action_id: int, actor: User | None = None) -> int:
    """Give every application in resume review its two reviewers, and each split its tiebreaker,
    balanced by open load and never to a recused SME. Returns how many reviews were created.

    Rules 10-11 and 16. Applications that cannot be covered (too few eligible SMEs) stay unassigned
    and show on HR's dashboard. The audit row names `actor` (HR's **Assign reviewers**), else the system.
    """
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    if actor is not None:
        hiring_services.require_role(action=action, user=actor, role=Role.HR)
    created = _assign(action, actor=actor)
    reviews_changed(created)
    return len(created)


def _assign(action: HiringAction, *, actor: User | None = None) -> list[ResumeReview]:
    """resume_reviews_assign's work under the caller's lock on `action`; returns the new reviews, for
    the caller's reviews_changed."""
    loads = _eligible_loads(action)
    if not loads:
        return []
    applications = list(
        Application.objects.filter(action=action, status=Status.IN_RESUME_REVIEW).values_list("pk", flat=True)
    )
    live: dict[int, dict[int, ResumeReview]] = {}
    for review in ResumeReview.objects.filter(action=action).filter(LIVE):
        live.setdefault(review.application_id, {})[review.slot] = review
    recused: dict[int, set[int]] = {}
    for application_id, sme_id in Recusal.objects.filter(application__action=action).values_list(
        "application_id", "sme_id"
    ):
        recused.setdefault(application_id, set()).add(sme_id)
    history: dict[int, set[int]] = {}
    for application_id, sme_id in ResumeReview.objects.filter(action=action).values_list(
        "application_id", "sme_id"
    ):
        history.setdefault(application_id, set()).add(sme_id)

    created: list[ResumeReview] = []
    for application_id in applications:
        slots = live.get(application_id, {})
        wanted = [slot for slot in (1, 2) if slot not in slots]
        decisions = {slot: r.decision for slot, r in slots.items() if r.counts}
        if rules.resume_outcome(decisions).state == "split" and 3 not in slots:
            wanted.append(3)
        if not wanted:
            continue
        excluded = recused.get(application_id, set()) | history.get(application_id, set())
        chosen = rules.pick_reviewers(needed=len(wanted), loads=loads, excluded=excluded)
        for slot, sme_id in zip(wanted, chosen, strict=False):
            created.append(
                ResumeReview(application_id=application_id, action=action, sme_id=sme_id, slot=slot)
            )
            loads[sme_id] += 1
            history.setdefault(application_id, set()).add(sme_id)
    ResumeReview.objects.bulk_create(created)
    if created:
        per_sme = Counter(r.sme_id for r in created)
        _audit(
            action_id=action.pk, actor=actor, actor_role=Actor.HR if actor else Actor.SYSTEM,
            reason=f"Assigned {len(created)} review(s) to {len(per_sme)} SME(s).",
        )  # fmt: skip
    return created


# --- reviewing -----------------------------------------------------------------------------------


def _locked_review(review_id: int) -> ResumeReview:
    """Lock the application, then the review: every writer takes them in this order, so two SMEs
    submitting the two reviews of one applicant at once queue instead of deadlocking."""
    application_id = (
        ResumeReview.objects.filter(pk=review_id).values_list("application_id", flat=True).first()
    )
    if application_id is None:
        raise ResumeReview.DoesNotExist
    Application.objects.select_for_update(no_key=True).only("pk").get(pk=application_id)
    return (
        ResumeReview.objects.select_for_update(of=("self",))
        .select_related("action", "application")
        .get(pk=review_id)
    )


def _stale(review: ResumeReview, version: int) -> None:
    if version != review.version:
        raise DomainError(
            "This review changed since you opened it (another tab, or HR acted on it). Reload to see the current version; nothing was saved."
        )


@transaction.atomic
def resume_review_save(
    *, review_id: int, sme: User, version: int, ratings: dict[str, str], experience_met: bool | None,
    recency_met: bool | None, justification: str, submit: bool,
) -> ResumeReview:  # fmt: skip
    """Save the SME's review as a draft, or submit it (or an amendment) for HR's quality review.

    Refuses a stale version. Submitting needs every answer and, for Does Not Move Forward, a
    justification naming what is missing (rules 12-14). A split creates the tiebreak at once.
    """
    review = _locked_review(review_id)
    if review.sme_id != sme.pk:
        raise DomainError("This review is not assigned to you.")
    if review.state in {RR.ACCEPTED, RR.WITHDRAWN}:
        raise DomainError(
            "HR has accepted this review; it can no longer change."
            if review.state == RR.ACCEPTED
            else "This review was reassigned; it can no longer change."
        )
    _stale(review, version)
    if not submit and review.state == RR.SUBMITTED:
        raise DomainError(
            "This review is submitted and counts as it stands. To change it, submit the amended review."
        )
    action = review.action
    competencies = list(Competency.objects.filter(action=action).values_list("pk", "name"))
    decision = rules.review_decision(
        ratings=ratings, competency_ids=[pk for pk, _ in competencies], experience_met=experience_met,
        recency_met=recency_met, recency_required=bool(action.recency_years),
    )  # fmt: skip
    review.ratings = {str(pk): ratings.get(str(pk), "") for pk, _ in competencies}
    review.experience_met, review.recency_met = experience_met, recency_met
    review.justification = justification.strip()
    review.decision = decision or ""
    review.saved_at = timezone.now()
    if submit:
        # Only a state change moves the version: the SME's own autosaves must never make their
        # next click look stale, while a second submit, HR's accept or a return still does.
        review.version += 1
        if decision is None:
            raise DomainError("Rate every competency and requirement before submitting.")
        unmet = [name for pk, name in competencies if ratings.get(str(pk)) == rules.NOT_MET]
        if experience_met is False:
            unmet.append("52 weeks of experience")
        if recency_met is False:
            unmet.append("recency")
        problem = rules.justification_problem(
            decision=decision, justification=review.justification, unmet=unmet
        )
        if problem:
            raise DomainError(problem, field="justification")
        previous = review.state
        review.state = RR.SUBMITTED
        review.submitted_at = timezone.now()
        review.save()
        _audit(
            action_id=action.pk, actor=sme, actor_role=Actor.SME, application_id=review.application_id,
            from_state=previous, to_state=RR.SUBMITTED,
            reason=f"{review.get_slot_display()} submitted: {review.get_decision_display()}.",
        )  # fmt: skip
        reviews_changed([review, *_settle(review.application_id, action.pk)])
    else:
        started = review.state == RR.ASSIGNED
        if started:
            review.state = RR.DRAFT
        review.save()
        if started:
            # The move, not every draft save: autosave posts every few seconds of typing, and the
            # submit records what the review says.
            _audit(
                action_id=action.pk, actor=sme, actor_role=Actor.SME, application_id=review.application_id,
                from_state=RR.ASSIGNED, to_state=RR.DRAFT, reason=f"{review.get_slot_display()} started.",
            )  # fmt: skip
        reviews_changed([review])
    return review


def _settle(application_id: int, action_id: int) -> list[ResumeReview]:
    """After a decision changes: a split gets its tiebreaker; a tiebreak no longer needed is withdrawn.
    Returns the reviews this changed or created."""
    reviews = {
        r.slot: r
        for r in ResumeReview.objects.select_for_update().filter(application_id=application_id).filter(LIVE)
    }
    outcome = rules.resume_outcome({slot: r.decision for slot, r in reviews.items() if r.counts})
    tiebreak = reviews.get(3)
    first_two = {slot: r.decision for slot, r in reviews.items() if slot in (1, 2) and r.counts}
    if len(first_two) == 2 and len(set(first_two.values())) == 1 and tiebreak and tiebreak.open:
        _withdraw(tiebreak)
        return [tiebreak]
    if outcome.state == "split" and tiebreak is None:
        return _assign(HiringAction.objects.select_for_update(no_key=True).get(pk=action_id))
    return []


@transaction.atomic
def resume_review_accept(*, review_id: int, actor: User, version: int) -> ResumeReview:
    """HR accepts a submitted review's justification; the SME can no longer amend it."""
    review = _locked_review(review_id)
    hiring_services.require_role(action=review.action, user=actor, role=Role.HR)
    _stale(review, version)
    if review.state != RR.SUBMITTED:
        raise DomainError(
            f"Only a submitted review can be accepted; this one is “{review.get_state_display()}”."
        )
    review.state, review.accepted_at, review.accepted_by = RR.ACCEPTED, timezone.now(), actor
    review.version += 1
    review.save()
    _audit(
        action_id=review.action_id, actor=actor, actor_role=Actor.HR, application_id=review.application_id,
        from_state=RR.SUBMITTED, to_state=RR.ACCEPTED, reason=f"{review.get_slot_display()} by {review.sme} accepted.",
    )  # fmt: skip
    reviews_changed([review])
    return review


@transaction.atomic
def resume_review_return(*, review_id: int, actor: User, version: int, note: str) -> ResumeReview:
    """HR returns a review to its SME with a note (rule 15); it stops counting until resubmitted and
    accepted, and goes to the top of the SME's queue."""
    review = _locked_review(review_id)
    hiring_services.require_role(action=review.action, user=actor, role=Role.HR)
    _stale(review, version)
    if review.state not in {RR.SUBMITTED, RR.ACCEPTED}:
        raise DomainError(
            f"Only a submitted review can be returned; this one is “{review.get_state_display()}”."
        )
    if review.application.status != Status.IN_RESUME_REVIEW:
        raise DomainError(
            "The result for this applicant has been sent; the review can no longer be returned."
        )
    if not note.strip():
        raise DomainError("Tell the SME what to fix.", field="note")
    previous = review.state
    review.state, review.hr_note, review.accepted_at, review.accepted_by = (
        RR.RETURNED,
        note.strip(),
        None,
        None,
    )
    review.version += 1
    review.save()
    _audit(
        action_id=review.action_id, actor=actor, actor_role=Actor.HR, application_id=review.application_id,
        from_state=previous, to_state=RR.RETURNED, reason=f"Returned to {review.sme}: {review.hr_note}",
    )  # fmt: skip
    reviews_changed([review])
    return review


# --- results -------------------------------------------------------------------------------------


def result_ready(reviews: list[ResumeReview]) -> str | None:
    """The settled decision when every counted review is accepted by HR, else None."""
    live = [r for r in reviews if r.state != RR.WITHDRAWN]
    outcome = rules.resume_outcome({r.slot: r.decision for r in live if r.counts})
    if outcome.state != "settled":
        return None
    needed = [r for r in live if r.slot in ((1, 2, 3) if 3 in {x.slot for x in live if x.counts} else (1, 2))]
    if any(r.state != RR.ACCEPTED for r in needed):
        return None
    return outcome.decision


@transaction.atomic
def resume_result_send(*, application_id: int, actor: User) -> Application:
    """Send one applicant their resume-review result (ELSM or IQSM, rule 18) once it is settled and HR
    has accepted the reviews behind it."""
    application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
    reviews = list(ResumeReview.objects.filter(application=application))
    decision = result_ready(reviews)
    if decision is None:
        raise DomainError(f"{application.applicant_name}'s result is not settled and accepted yet.")
    to_status = Status.MOVED_FORWARD if decision == rules.MOVE_FORWARD else Status.DID_NOT_MOVE_FORWARD
    hiring_services.require_role(action=application.action, user=actor, role=Role.HR)
    # The outcome is the reviews', not HR's: recorded as a system move, with the HR person who sent it.
    return hiring_services.application_transition(
        application_id=application.pk, to_status=to_status, actor=actor, actor_role=Actor.SYSTEM,
        reason="Resume review result: " + dict(ResumeReview.Decision.choices)[decision] + ".",
        expected_status=Status.IN_RESUME_REVIEW,
    )  # fmt: skip


@transaction.atomic
def resume_results_send_all(*, action_id: int, actor: User) -> int:
    """Send every settled, accepted result on the action (ELSM or IQSM, rule 18). Returns how many
    were sent.

    The applicants whose stored review signature means "ready" are locked, then each one's reviews are
    checked with result_ready as resume_result_send does; the results go out in two bulk moves (one per
    outcome, hiring.services.applications_transition) with their audit rows and notices.
    """
    from .selectors import ready_signatures

    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    hiring_services.require_role(action=action, user=actor, role=Role.HR)
    # Locked before their reviews are read: a review changes only under its application's lock
    # (_locked_review), so what is read below is what the result is sent on.
    ids = list(
        Application.objects.select_for_update(no_key=True)
        .filter(
            action=action,
            status=Status.IN_RESUME_REVIEW,
            review_signature__in=ready_signatures(action=action),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reviews: dict[int, list[ResumeReview]] = {}
    for start in range(0, len(ids), 5000):  # under SQLite's 32,766 parameters
        for review in ResumeReview.objects.filter(application_id__in=ids[start : start + 5000]).only(
            "application_id", "slot", "state", "decision"
        ):
            reviews.setdefault(review.application_id, []).append(review)
    by_decision: dict[str, list[int]] = {}
    for application_id in ids:
        decision = result_ready(reviews.get(application_id, []))
        if decision is not None:
            by_decision.setdefault(decision, []).append(application_id)
    sent = 0
    for decision, chosen in sorted(by_decision.items()):
        to_status = Status.MOVED_FORWARD if decision == rules.MOVE_FORWARD else Status.DID_NOT_MOVE_FORWARD
        # The outcome is the reviews', not HR's: a system move, with the HR person who sent it.
        sent += hiring_services.applications_transition(
            action_id=action.pk, application_ids=chosen, from_status=Status.IN_RESUME_REVIEW,
            to_status=to_status, actor=actor, actor_role=Actor.SYSTEM,
            reason="Resume review result: " + dict(ResumeReview.Decision.choices)[decision] + ".",
        ).moved  # fmt: skip
    return sent


@transaction.atomic
def sme_add(*, action_id: int, actor: User, email: str, full_name: str = "") -> User:
    """HR adds a subject matter expert by email (someone new gets an account in the action's agency,
    with no password until they set one). Writes the role and an audit row."""
    action = HiringAction.objects.get(pk=action_id)
    hiring_services.require_role(action=action, user=actor, role=Role.HR)
    email = email.strip().lower()
    sme = User.objects.filter(email__iexact=email).first()
    if sme is None:
        if not full_name.strip():
            raise DomainError("This person is new to smeqa: give their full name too.", field="full_name")
        sme = User.objects.create_user(email, None, full_name=full_name.strip(), agency=action.agency)
    elif sme.agency_id is None:
        raise DomainError(f"{email} is a candidate's account; SMEs must be federal staff.", field="email")
    hiring_services.action_role_grant(action=action, user=sme, role=Role.SME, actor=actor)
    return sme


def unsettled_count(*, action: HiringAction) -> int:
    """How many applicants in resume review have no settled, HR-accepted result yet."""
    from .selectors import ready_signatures

    return (
        Application.objects.filter(action=action, status=Status.IN_RESUME_REVIEW)
        .exclude(review_signature__in=ready_signatures(action=action))
        .count()
    )
