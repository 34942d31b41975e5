"""Benchmark: the certificate PDF with N names, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smeqa .venv/bin/python bench/certificate_pdf.py \\
        --names 2000

Makes a throwaway database (smeqa_bench_cert, on the server DATABASE_URL names), migrates it, and builds
one hiring action with --names applications and a certificate listing all of them (realistic names, about
a quarter preference eligibles, some tentative, two categories merged). Then it draws the certificate's
PDF --runs times with certificates.pdf.render_certificate_pdf, each run in a fresh forked process that
reads the certificate and its entries from the database as the Celery task does, and prints each run's
wall and CPU seconds, the median and the maximum, the peak RSS of the drawing process and of the forked
child that draws parts beside it, and the page count. Last, certificate_pdf_store draws and stores it
once (the task's path, into a temporary MEDIA_ROOT). The database is dropped at the end unless --keep is
given. docs/performance.md records the figures.
"""

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from datetime import date, timedelta
from pathlib import Path

from import_usas import in_throwaway_database
from report import record

ROOT = Path(__file__).resolve().parent.parent
FIRST = ["Avery", "Blake", "Carmen", "Devon", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonah", "Keisha"]
MIDDLE = ["", "", "", "A. ", "J. ", "Marie ", "Lee "]
LAST = [
    "Johnson",
    "Thompson-Diaz",
    "Walker",
    "Petrova",
    "Haddad",
    "O'Neill",
    "Tanaka",
    "Brooks",
    "Nakamura-Feldman",
]
# Roughly the mix on a federal certificate: most NV, a quarter preference eligibles.
PREFERENCES = ["NV"] * 15 + ["TP"] * 3 + ["CP", "CPS", "XP", "SSP"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, help="Drawing processes (default: certificates.pdf.WORKERS).")
    parser.add_argument(
        "--part-pages", type=int, help="Pages per part (default: certificates.pdf.PART_PAGES)."
    )
    parser.add_argument("--out", help="Also write the PDF of the last run here.")
    parser.add_argument("--database", default="smeqa_bench_cert", help="The throwaway database to create.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="smeqa-bench-media-")
    try:
        return in_throwaway_database(args, lambda: _run(args), env={"MEDIA_ROOT": media})
    finally:
        shutil.rmtree(media, ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    import pypdf
    import weasyprint
    from django.core.management import call_command
    from django.db import connection

    from certificates import pdf

    workers = args.workers or pdf.WORKERS
    part_pages = args.part_pages or pdf.PART_PAGES
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    certificate = _build(args.names)
    print(f"data: {args.names:,} names built in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]

    load_before = os.getloadavg()[0]
    results = []
    for run in range(1, args.runs + 1):
        result = _measure(certificate.pk, workers=workers, part_pages=part_pages, out=args.out)
        results.append(result)
        print(
            f"run {run}: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU "
            f"(drawing process {result['cpu_self']:.2f} s, child {result['cpu_child']:.2f} s), "
            f"peak RSS {result['rss_self']:.0f} MB + child {result['rss_child']:.0f} MB, "
            f"{result['pages']} pages, {result['bytes'] / 1e6:.2f} MB"
        )
    load_after = os.getloadavg()[0]

    start = time.perf_counter()
    stored = pdf.certificate_pdf_store(certificate.pk)
    certificate.refresh_from_db()
    assert stored and certificate.pdf_state == certificate.Pdf.READY, certificate.pdf_error
    print(
        f"certificate_pdf_store (the task's path): {time.perf_counter() - start:.2f} s, {certificate.pdf.name}"
    )

    walls = [r["wall"] for r in results]
    print()
    print(f"{args.names:,} names, {args.runs} runs, {workers} drawing processes, parts of {part_pages} pages")
    print(
        f"wall: median {statistics.median(walls):.2f} s, max {max(walls):.2f} s; "
        f"CPU: median {statistics.median(r['cpu'] for r in results):.2f} s"
    )
    print(
        f"peak RSS: drawing process {max(r['rss_self'] for r in results):.0f} MB, "
        f"child {max(r['rss_child'] for r in results):.0f} MB "
        f"(together at most {max(r['rss_self'] + r['rss_child'] for r in results):.0f} MB)"
    )
    print(f"pages: {results[-1]['pages']}; size: {results[-1]['bytes'] / 1e6:.2f} MB")
    record(
        "certificate_pdf", names=args.names, median_s=statistics.median(walls), max_s=max(walls),
        peak_mb=max(r["rss_self"] + r["rss_child"] for r in results), workers=workers,
    )  # fmt: skip
    print(
        f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"PostgreSQL {server}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"WeasyPrint {weasyprint.__version__}, pypdf {pypdf.__version__}, "
        f"load average {load_before:.1f} before, {load_after:.1f} after, {date.today().isoformat()}"
    )
    return 0


def _build(names: int):
    """One action, `names` applications and a certificate listing them all, by bulk insert."""
    from certificates import rules
    from certificates.models import Certificate, Entry
    from hiring.models import Agency, Application, HiringAction, User
    from hiring.workflow import Phase, Status

    rng = random.Random(6)  # noqa: S311 (test data, not secrets)
    agency = Agency.objects.create(name="Department of Bench Testing", code="BENCH")
    hr = User.objects.create_user("hr@bench.test", password=None, full_name="Pat Benchmark", agency=agency)
    action = HiringAction.objects.create(
        agency=agency, title="IT Specialist (INFOSEC)", series="2210", grades=[13], full_performance_level=13,
        duty_locations=["Washington, DC"], phase=Phase.CERTIFICATE,
    )  # fmt: skip
    people = [
        (f"{rng.choice(FIRST)} {rng.choice(MIDDLE)}{rng.choice(LAST)}", rng.choice(PREFERENCES))
        for _ in range(names)
    ]
    applications = Application.objects.bulk_create(
        Application(
            action=action, applicant_name=name, status=Status.REFERRED, preference_claim=preference,
            source="usa_staffing", external_number=str(30_000_000 + n),
        )
        for n, (name, preference) in enumerate(people)
    )  # fmt: skip
    placements = rules.place(
        [
            rules.Eligible(key=a.pk, name=a.applicant_name, score=rng.choice([100, 100, 85, 85, 85, 70]),
                           preference=a.preference_claim)
            for a in applications
        ],
        best_min=100, well_min=85, qualified_min=70, scientific_professional=False, grade=13,
    )  # fmt: skip
    certificate = Certificate.objects.create(
        action=action, number="BENCH-2026-0001", agency=agency, title=action.title, series="2210", grade=13,
        full_performance_level=13, duty_location="Washington, DC", appointment_type="permanent",
        categories=["best", "well", "qualified"], merged=False, issued_by=hr, issued_on=date.today(),
        return_by=date.today() + timedelta(days=30),
    )  # fmt: skip
    Entry.objects.bulk_create(
        Entry(
            certificate=certificate, application_id=p.key, rank=p.rank, name=p.name, preference=p.preference,
            tentative=p.preference != "NV" and rng.random() < 0.1, score=p.score, category=p.category,
            earned_category=p.earned, why=p.why,
        )
        for p in placements
    )  # fmt: skip
    return certificate


def _measure(certificate_id: int, *, workers: int, part_pages: int, out: str | None) -> dict:
    """One render in a fresh forked process (so its peak RSS is this render's, over a loaded Django, as
    in a Celery worker), reading the certificate from the database."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        code = 1
        try:
            result = json.dumps(_render(certificate_id, workers=workers, part_pages=part_pages, out=out))
            code = 0
        except BaseException:
            result = json.dumps({"error": traceback.format_exc()})
        finally:
            with os.fdopen(write, "w") as pipe:
                pipe.write(result)
            connections.close_all()
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        result = json.loads(pipe.read())
    os.waitpid(pid, 0)
    if "error" in result:
        raise RuntimeError(result["error"])
    return result


def _render(certificate_id: int, *, workers: int, part_pages: int, out: str | None) -> dict:
    from pypdf import PdfReader

    from certificates import pdf
    from certificates.models import Certificate

    start, cpu = time.perf_counter(), time.process_time()
    certificate = Certificate.objects.select_related("agency", "issued_by").get(pk=certificate_id)
    data = pdf.render_certificate_pdf(certificate, workers=workers, part_pages=part_pages)
    wall, cpu_self = time.perf_counter() - start, time.process_time() - cpu
    me, child = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    if out:
        Path(out).write_bytes(data)
    return {
        "wall": wall,
        "cpu_self": cpu_self,
        "cpu_child": child.ru_utime + child.ru_stime,
        "cpu": cpu_self + child.ru_utime + child.ru_stime,
        "rss_self": me.ru_maxrss / 1024,  # KiB on Linux
        "rss_child": child.ru_maxrss / 1024,
        "pages": len(PdfReader(io.BytesIO(data)).pages),
        "bytes": len(data),
    }


if __name__ == "__main__":
    sys.exit(main())
