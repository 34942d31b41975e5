"""Benchmark: category rating and ordering of N qualified applicants on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smeqa .venv/bin/python bench/category_rating.py \\
        --applicants 50000

Makes a throwaway database (smeqa_bench_cat), migrates it, and builds one GS-13 action in the certificate
phase with N qualified applicants, each with two accepted interview scores (1 or 2, so every score of
70, 85 and 100 occurs) and about a quarter with an adjudicated veterans' preference (CPS, CP, XP, TP,
SSP). Then it times what HR's Certificate tab and issuing do: `certificates.services.placements` (read
the scores and adjudications, transmute, categorize, float, order, explain: rules 29-35 and 39) and
`certificates.rules.certificate_list` (rule 40), --runs times, and prints the median and max. The
target (issue 7) is 2 s at 50,000. The database is dropped at the end unless --keep is given.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from import_usas import in_throwaway_database
from report import record

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="smeqa_bench_cat", help="The throwaway database to create.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    return in_throwaway_database(args, lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from assessments.models import Interview
    from certificates import rules, services
    from certificates.models import Adjudication
    from hiring.models import Agency, Application, HiringAction, InterviewQuestion, User
    from hiring.workflow import Phase, Status

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    agency = Agency.objects.create(name="Bench Agency", code="BENCH")
    hr = User.objects.create_user("hr@bench.test", full_name="Bench HR", agency=agency)
    sme = User.objects.create_user("sme@bench.test", full_name="Bench SME", agency=agency)
    action = HiringAction.objects.create(
        agency=agency, title="Bench category rating", series="2210", grades=[13], full_performance_level=13,
        duty_locations=["Washington, DC"], phase=Phase.CERTIFICATE, job_analysis_finalized_at=timezone.now(),
    )  # fmt: skip
    InterviewQuestion.objects.create(action=action, round=1, text="Round 1")
    InterviewQuestion.objects.create(action=action, round=2, text="Round 2")
    applications = Application.objects.bulk_create(
        (
            Application(action=action, applicant_name=f"Applicant {n:06d}", status=Status.QUALIFIED)
            for n in range(args.applicants)
        ),
        batch_size=5000,
    )
    Interview.objects.bulk_create(
        (
            Interview(
                application=a,
                action=action,
                round=r,
                sme=sme,
                state=Interview.State.ACCEPTED,
                score=rng.choice([1, 2]),
            )
            for a in applications
            for r in (1, 2)
        ),
        batch_size=5000,
    )
    codes = ["CPS", "CP", "XP", "TP", "SSP"]
    Adjudication.objects.bulk_create(
        (
            Adjudication(application=a, preference=rng.choice(codes), documents=["dd214"], adjudicated_by=hr)
            for a in applications
            if rng.random() < 0.25
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"data: {args.applicants:,} qualified applicants built in {time.perf_counter() - start:.1f} s")

    times, placed, listed = [], [], None
    for _ in range(args.runs):
        start = time.perf_counter()
        placed, waiting = services.placements(action)
        listed = rules.certificate_list(placed)
        times.append(time.perf_counter() - start)
        assert not waiting
    by_category = {c: sum(1 for p in placed if p.category == c) for c in rules.CATEGORY_ORDER}
    print(
        f"placed {len(placed):,}: " + ", ".join(f"{rules.CATEGORY_LABELS[c]} {n:,}" for c, n in by_category.items())
        + f"; certificate lists {len(listed.names):,} ({' + '.join(listed.categories)})"
    )  # fmt: skip
    print(
        f"placements + certificate list, {args.runs} runs: median {statistics.median(times):.2f} s, max {max(times):.2f} s"
    )
    record("category_rating", applicants=args.applicants, median_s=statistics.median(times), max_s=max(times))
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
