"""Benchmark: read and import a USA Staffing applicant export of N rows on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smeqa .venv/bin/python bench/import_usas.py --rows 50000

Makes a throwaway database (smeqa_bench, on the server DATABASE_URL names), migrates it, generates one
export, then times parse_usas_csv + applications_import_usas --runs times, each into a fresh hiring
action, and prints the median, the peak memory and the machine. The database is dropped at the end
unless --keep is given. docs/performance.md records the figures.
"""

import argparse
import csv
import io
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from report import record

ROOT = Path(__file__).resolve().parent.parent
FIRST = ["Avery", "Blake", "Carmen", "Devon", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonah", "Keisha"]
LAST = [
    "Johnson",
    "Thompson",
    "Diaz",
    "Walker",
    "Petrova",
    "Haddad",
    "O'Neill",
    "Tanaka",
    "Brooks",
    "Feldman",
]
MIDDLE = ["", "", "", "A", "J", "Marie", "Lee"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default="smeqa_bench", help="The throwaway database to create.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--chunk", type=int, help="Rows per insert (default: the service's CHUNK).")
    args = parser.parse_args()

    return in_throwaway_database(args, lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hiring.imports.usas import COLUMNS, parse_usas_csv
    from hiring.models import Agency, AgencyRole, Application, HiringAction, Notice, User
    from hiring.services import imports
    from hiring.services.actions import hiring_action_create
    from hiring.services.imports import applications_import_usas
    from hiring.workflow import Phase

    if args.chunk:
        imports.CHUNK = args.chunk

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(name="Bench Agency", code="BENCH")
    hr = User.objects.create_user("hr@bench.test", password=None, full_name="Bench HR", agency=agency)
    AgencyRole.objects.create(agency=agency, user=hr)
    data = _export(args.rows, COLUMNS).encode()

    totals, parses = [], []
    for run in range(1, args.runs + 1):
        action = hiring_action_create(
            agency=agency,
            actor=hr,
            title=f"Bench run {run}",
            series="2210",
            grades=[13],
            full_performance_level=13,
            duty_locations=["Washington, DC"],
        )
        # Setup only: open the action for applicants without a job analysis and announcement.
        HiringAction.objects.filter(pk=action.pk).update(phase=Phase.ANNOUNCEMENT)
        action.refresh_from_db()
        start = time.perf_counter()
        rows = parse_usas_csv(data)
        parsed = time.perf_counter()
        result = applications_import_usas(action=action, actor=hr, rows=rows)
        end = time.perf_counter()
        assert result.created == args.rows, result
        assert Notice.objects.filter(application__action=action).count() == args.rows
        totals.append(end - start)
        parses.append(parsed - start)
        print(f"run {run}: {end - start:.2f} s (parse {parsed - start:.2f} s, import {end - parsed:.2f} s)")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    median = statistics.median(totals)
    print(
        f"rows: {args.rows:,}; file: {len(data) / 1e6:.1f} MB; applications now: {Application.objects.count():,}"
    )
    print(
        f"median of {args.runs}: {median:.2f} s (parse {statistics.median(parses):.2f} s; chunk {imports.CHUNK:,})"
    )
    print(f"peak RSS: {peak_mb:.0f} MB")
    record("import_usas", rows=args.rows, median_s=median, runs_s=totals, peak_rss_mb=peak_mb)
    print(
        f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"PostgreSQL {server}, Python {platform.python_version()}, {date.today().isoformat()}"
    )
    return 0


def _export(count: int, columns: tuple[str, ...]) -> str:
    """A USA Staffing export with every column, `count` applicants, names that repeat as real ones do."""
    rng = random.Random(2026)  # noqa: S311 (test data, not secrets)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for n in range(count):
        values = {
            "Vacancy ID": "12345678",
            "Assessment ID": "4321",
            "Application ID": str(900_000 + n),
            "Application Rating ID": str(500_000 + n),
            "Applicant Last Name": rng.choice(LAST),
            "Applicant First Name": rng.choice(FIRST),
            "Applicant Middle Name": rng.choice(MIDDLE),
            "Application Number": str(20_000_000 + n),
            "Rating Combination": "2210-13(Generalist)",
            "Assessment Rating": "",
            "Minimum Qualifications Rating": "",
            "USAJOBS Applicant GUID": f"{rng.getrandbits(128):032x}",
        }
        writer.writerow([values[c] for c in columns])
    return out.getvalue()


def in_throwaway_database(
    args: argparse.Namespace, run: Callable[[], int], *, env: dict[str, str] | None = None
) -> int:
    """Run `run()` against a fresh PostgreSQL database named `args.database`, dropped afterwards unless
    `args.keep`: what every benchmark on its own data needs. `env` adds settings for this process (and
    for any child a benchmark starts). Returns 2 with a message when DATABASE_URL is not PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/smeqa",
            file=sys.stderr,
        )
        return 2
    _recreate_database(_with_database(url, "postgres"), args.database)
    os.environ["DATABASE_URL"] = _with_database(url, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smeqa.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DEBUG"] = "false"  # no query log growing in memory
    os.environ.update(env or {})
    sys.path.insert(0, str(ROOT))
    try:
        return run()
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(_with_database(url, "postgres"), args.database)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    sys.exit(main())
