"""Benchmark: a pooled, multi-grade action's certificate work (issue 10, ADR 0015) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smeqa .venv/bin/python bench/pooled.py \\
        --applicants 50000

Makes a throwaway database (smeqa_bench_pool), migrates it, and builds one GS-12/13/14 action in the
certificate phase (required final scores {"12": 70, "13": 85, "14": 100}) led by OPM, with three
participating agencies, each with vacancies at two or three grades in its own duty location (8 slots).
Of N applications (bulk_create, not the services) about --qualified are qualified, with two accepted
interview scores (1 or 2), 1-3 accepted places (ApplicationPlace), a lowest grade (any, 12, 13 or 14),
time-in-grade checks at 13 and 14 (meets mixed) and, for a quarter, an adjudicated preference (the rest
NV); a tenth of the others failed an assessment (one accepted round-1 score of 0), the rest stopped
earlier. Then it times, --runs times each, median and max:

(a) `certificates.placing.page` (HR's Certificate tab: every slot summarized plus one preview; uncached),
    and counts its queries;
(b) `certificates.placing.preview` for the slot that lists the most names;
(c) `certificates.services.certificate_issue` for that slot, rolled back each run (same certificate),
    and, for comparison, `hiring.services.bulk.applications_transition` referring the same names (c');
(d) `certificates.pool.pool_progress`, after bulk-creating an original per slot with entries and some A;
(e) `certificates.selectors.certificate_names`, first and last page of a 500-name original of which 100
    names hold an A on another agency's original ("selected elsewhere");
(f) `certificates.pool.pool_close_problems` (the pool page's check, uncached) with every slot issued.

The target (issue 7, certificate tab and issuing) is 2 s at 50,000. The database is dropped at the end
unless --keep is given.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from import_usas import in_throwaway_database
from pooled_data import build, originals
from report import record

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--qualified", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="smeqa_bench_pool", help="The throwaway database to create.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--profile", action="store_true", help="Print a cProfile of one (a) and one (c).")
    args = parser.parse_args()
    return in_throwaway_database(args, lambda: _run(args))


def _timed(runs: int, call) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return times, result


def _queries(call) -> int:
    """How many queries `call` runs (the action is read inside the timed calls, so it counts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def _line(label: str, times: list[float]) -> str:
    return f"{label}, {len(times)} runs: median {statistics.median(times):.3f} s, max {max(times):.3f} s"


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from certificates import placing, pool, selectors, services
    from hiring.models import HiringAction

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    rng = random.Random(10)  # noqa: S311 (test data, not secrets)
    built = build(args, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"data: {built['applications']:,} applications, {len(built['qualified']):,} qualified, "
        f"{built['failed']:,} failed an assessment, built in {time.perf_counter() - start:.1f} s"
    )
    action_id, hr = built["action"].pk, built["hr"]

    def fresh() -> HiringAction:
        return HiringAction.objects.select_related("agency").get(pk=action_id)

    # (a) the certificate tab, uncached
    times_a, result = _timed(args.runs, lambda: placing.page(fresh()))
    action = fresh()
    with CaptureQueriesContext(connection) as captured:
        placing.page(action)
    queries_a = len(captured)
    for row in result.rows:
        s = row.slot
        print(
            f"  slot {s.agency_name}, {s.duty_location}, GS-{s.grade}: {row.listed} listed, {row.waiting} waiting"
        )
    print(_line(f"(a) placing.page, {len(result.rows)} slots ({queries_a} queries)", times_a))

    # (b) one slot's preview: the slot that lists the most names
    biggest = max(result.rows, key=lambda r: r.listed).slot
    times_b, (listed, _, waiting) = _timed(args.runs, lambda: placing.preview(fresh(), biggest))
    assert not waiting, waiting[:3]
    print(
        _line(
            f"(b) placing.preview, {biggest.agency_name} GS-{biggest.grade}, {len(listed.names)} names",
            times_b,
        )
    )

    # (c) issuing that certificate, rolled back each run
    def issue():
        with transaction.atomic():
            certificate = services.certificate_issue(
                action_id=action_id, hr=hr, grade=biggest.grade, duty_location=biggest.duty_location,
                return_by=timezone.localdate() + timedelta(days=14), agency_id=biggest.agency_id,
            )  # fmt: skip
            transaction.set_rollback(True)
        return certificate

    times_c, issued = _timed(args.runs, issue)
    with CaptureQueriesContext(connection) as captured:
        issue()
    queries_c = len(captured)
    print(
        _line(
            f"(c) certificate_issue {issued.number} (rolled back), {len(listed.names)} names ({queries_c} queries)",
            times_c,
        )
    )

    # (c') for comparison only: the listed names referred by the existing bulk move
    # (hiring.services.bulk.applications_transition) instead of one application_transition each
    from hiring.services.bulk import applications_transition
    from hiring.workflow import Actor, Status

    def bulk_refer():
        with transaction.atomic():
            moved = applications_transition(
                action_id=action_id, from_status=Status.QUALIFIED, to_status=Status.REFERRED, actor=hr,
                actor_role=Actor.HR, reason="bench", application_ids=[p.key for p in listed.names],
            )  # fmt: skip
            transaction.set_rollback(True)
        return moved

    times_bulk, moved = _timed(args.runs, bulk_refer)
    assert moved.moved == len(listed.names), moved
    print(
        _line(
            f"(c') for comparison: bulk applications_transition of the same {moved.moved} names", times_bulk
        )
    )

    if args.profile:
        import cProfile
        import pstats

        for label, call in (("(a) page", lambda: placing.page(fresh())), ("(c) issue", issue)):
            profiler = cProfile.Profile()
            profiler.runcall(call)
            print(f"\nprofile of {label}:")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    # (d) pool progress, with an original per slot
    certificates, target, elsewhere, entries, with_a = originals(built, rng, [r.slot for r in result.rows])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    times_d, progress = _timed(args.runs, lambda: pool.pool_progress(fresh()))
    print(
        f"originals: {len(certificates)}, {entries:,} entries, {with_a} with A; progress: "
        + "; ".join(f"{p.agency_name} {p.selections} selected / {p.vacancies} vacancies" for p in progress)
    )
    queries_d = _queries(lambda: pool.pool_progress(fresh()))
    print(_line(f"(d) pool.pool_progress ({queries_d} queries, 1 of them reading the action)", times_d))

    # (e) names of a 500-name original, 100 selected elsewhere
    target = type(target).objects.get(pk=target.pk)
    times_e, first = _timed(args.runs, lambda: selectors.certificate_names(certificate=target, start=0))
    times_e_last, last = _timed(args.runs, lambda: selectors.certificate_names(certificate=target, start=450))
    flagged = sum(
        1
        for start in range(0, first.total, selectors.NAMES_PAGE)
        for e in selectors.certificate_names(certificate=target, start=start).entries
        if e.selected_by
    )
    assert first.total == 500 and flagged == elsewhere == 100, (first.total, flagged, elsewhere)
    queries_e = _queries(lambda: selectors.certificate_names(certificate=target, start=0))
    label = f"(e) certificate_names, first page of {first.total} ({flagged} selected elsewhere; {queries_e} queries)"
    print(_line(label, times_e))
    print(_line(f"(e) certificate_names, last page (ranks {last.first}-{last.last})", times_e_last))

    # (f) what stops the pool closing, every slot issued
    times_f, problems = _timed(args.runs, lambda: pool.pool_close_problems(fresh()))
    queries_f = _queries(lambda: pool.pool_close_problems(fresh()))
    print(_line(f"(f) pool.pool_close_problems ({len(problems)} problem(s); {queries_f} queries)", times_f))

    def fig(times: list[float]) -> dict:
        return {"median_s": statistics.median(times), "max_s": max(times)}

    record(
        "pooled", applicants=args.applicants, qualified=len(built["qualified"]), slots=len(result.rows),
        page=fig(times_a), page_queries=queries_a, preview=fig(times_b), preview_names=len(listed.names),
        issue=fig(times_c), issue_queries=queries_c, bulk_refer=fig(times_bulk), progress=fig(times_d),
        names_first=fig(times_e),
        names_last=fig(times_e_last), close_problems=fig(times_f),
        progress_queries=queries_d, names_queries=queries_e, close_problems_queries=queries_f,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"machine: {os.cpu_count()} CPUs, PostgreSQL {server}, Python {platform.python_version()}, "
        f"Django {django.get_version()}, load average {os.getloadavg()[0]:.1f}, {date.today().isoformat()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
