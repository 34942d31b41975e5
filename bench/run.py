"""`make bench`: every benchmark in one run on PostgreSQL, written into docs/performance.md.

    .venv/bin/python bench/run.py [--applicants 50000] [--smes 200] [--only pages,load,import,...]

1. Starts PostgreSQL and Redis when they do not answer (the commands this machine documents).
2. Builds two throwaway databases with `manage.py seed_scale`: the large action (--applicants, --smes)
   and a small one (100 applicants, 12 SMEs), and counts each page's queries on both with Django's
   test client (issue 7: the same count at 100 and at 50,000).
3. Serves the large database with gunicorn (2 sync workers, DEBUG=false, persistent connections),
   signs each role in through the login form and times --requests sequential GETs per page after
   --warmup; each page's median is also given as a ratio to the cheapest signed-in page measured in
   the same run, which survives a slower or busier machine better than milliseconds do.
4. Mixed read load: --clients threads request a weighted mix of those pages for --load-seconds.
5. Runs the other benchmarks (import, category rating, pooled certificates, certificate PDF, notices, upload
   checks) as subprocesses; each hands its figures back through bench/report.py.
6. Replaces the part of docs/performance.md between the "make bench" markers with the table, and
   writes bench/results/latest.json.
"""

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from import_usas import _drop_database, _recreate_database, _with_database
from server import PASSWORD, get, gunicorn, p95, sign_in

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"
STEPS = ("pages", "load", "import", "category", "pooled", "pdf", "notices", "uploads")
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.server_settings",
    "SECRET_KEY": "bench",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "SEED_SCALE_PASSWORD": PASSWORD,
    "DEMO_DATA_ALLOWED": "true",
}
# Page name → (role, issue 7's p95 target in ms). Ratios are to the cheapest page of the run.
PAGES = {
    "SME home (cheapest)": ("sme", None),
    "Candidate home": ("candidate", None),
    "HR applicant list, page 1 (status filter, by name)": ("hr", 50),
    "HR applicant list, page 1 (by name)": ("hr", 50),
    "HR applicant list, 40,000 rows deep (by name)": ("hr", 50),
    "SME resume-review queue": ("sme", 100),
    "SME interview schedule": ("sme", 100),
    "HR resume-review dashboard": ("hr", 100),
    "HR interviews dashboard": ("hr", 100),
    "HR certificate page": ("hr", 100),
    "Hiring manager certificate page": ("manager", 100),
    "Hiring manager home": ("manager", 100),
    "Candidate status": ("candidate", 100),
}
# Who reads what under the mixed load: candidates checking their status outnumber everyone.
LOAD_MIX = {
    "Candidate status": 30,
    "Candidate home": 10,
    "SME resume-review queue": 15,
    "SME interview schedule": 10,
    "SME home (cheapest)": 5,
    "HR applicant list, page 1 (status filter, by name)": 10,
    "HR applicant list, 40,000 rows deep (by name)": 3,
    "HR applicant list, page 1 (by name)": 2,
    "HR resume-review dashboard": 5,
    "HR interviews dashboard": 4,
    "HR certificate page": 2,
    "Hiring manager certificate page": 3,
    "Hiring manager home": 1,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--smes", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200, help="Timed GETs per page.")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8, help="Threads of the mixed load.")
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--only", default=",".join(STEPS), help=f"Comma-separated steps of {STEPS}.")
    parser.add_argument("--no-write", action="store_true", help="Do not touch docs/performance.md.")
    parser.add_argument("--count-pages", help=argparse.SUPPRESS)  # internal: see _count_pages
    args = parser.parse_args()
    if args.count_pages:
        return _count_pages(Path(args.count_pages))
    steps = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")

    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/smeqa"
    if not url.startswith(("postgres://", "postgresql://")):
        print("make bench measures PostgreSQL: set DATABASE_URL to a postgres:// URL.", file=sys.stderr)
        return 2
    _ensure_services()
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M"), "machine": _machine(url)}
    results_dir = ROOT / "bench/results"
    results_dir.mkdir(exist_ok=True)
    if "pages" in steps or "load" in steps:
        results.update(_pages_and_load(args, url, steps))
    figures = Path(tempfile.mkstemp(prefix="smeqa-bench-", suffix=".json")[1])
    try:
        others = {
            "import": ["bench/import_usas.py", "--rows", "50000", "--runs", "3"],
            "category": ["bench/category_rating.py", "--applicants", "50000"],
            "pooled": ["bench/pooled.py", "--applicants", "50000"],
            "pdf": ["bench/certificate_pdf.py", "--names", "2000", "--runs", "3"],
            "notices": ["bench/notices.py", "--applicants", str(args.applicants)],
            "uploads": ["bench/uploads.py", "--runs", "200"],
        }
        for step, command in others.items():
            if step not in steps:
                continue
            if not (ROOT / command[0]).exists():
                print(f"\n== {step}: {command[0]} is missing; skipped")
                continue
            print(f"\n== {step}: {' '.join(command)}", flush=True)
            log = results_dir / f"{Path(command[0]).stem}.txt"
            with log.open("w") as out:
                done = subprocess.run(  # noqa: S603 (fixed arguments)
                    [PY, *command], cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "BENCH_JSON": str(figures)},
                    stdout=out, stderr=subprocess.STDOUT, check=False,
                )  # fmt: skip
            print(log.read_text()[-1500:])
            if done.returncode:
                results.setdefault("failed", []).append(f"{command[0]} exited {done.returncode} (see {log})")
        if figures.read_text().strip():
            results.update(json.loads(figures.read_text()))
    finally:
        figures.unlink(missing_ok=True)
    (results_dir / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    table = _markdown(results)
    print("\n" + table)
    if not args.no_write:
        _write_performance_md(table)
        print("docs/performance.md updated between the make bench markers.")
    return 1 if results.get("failed") else 0


# --- services -----------------------------------------------------------------------------------------


def _ensure_services() -> None:
    """Start PostgreSQL and Redis the way this machine documents, when they do not answer."""
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode != 0:  # noqa: S607
        versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
        if versions:
            print(f"starting PostgreSQL {versions[-1]}", flush=True)
            subprocess.run(  # noqa: S603
                ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],  # noqa: S607
                check=False,
            )
    if subprocess.run(["redis-cli", "ping"], capture_output=True, check=False).returncode != 0:  # noqa: S607
        print("starting Redis", flush=True)
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",  # noqa: S607
             "--save", "", "--appendonly", "no"],
            check=False,
        )  # fmt: skip
        time.sleep(1)


def _machine(url: str) -> str:
    server = subprocess.run(  # noqa: S603
        ["psql", _with_database(url, "postgres"), "-Atc", "SHOW server_version"],  # noqa: S607
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), PostgreSQL {server.split()[0] if server else '?'}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the start, "
        f"{date.today().isoformat()}"
    )


# --- pages ----------------------------------------------------------------------------------------------


def _pages_and_load(args: argparse.Namespace, url: str, steps: list[str]) -> dict:
    big_db, small_db = "smeqa_bench_scale", "smeqa_bench_scale_small"
    static_root = tempfile.mkdtemp(prefix="smeqa-bench-static-")
    env = {**os.environ, **SERVER_ENV, "BENCH_STATIC_ROOT": static_root}
    out: dict = {}
    try:
        manifests = {}
        for name, applicants, smes in ((big_db, args.applicants, args.smes), (small_db, 100, 12)):
            manifests[name] = _seed(url, name, applicants, smes, env)
        out["seed_s"] = manifests[big_db]["seed_s"]
        big = _with_database(url, big_db)
        # DEBUG=false pages need the manifest collectstatic writes.
        subprocess.run(  # noqa: S603
            [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env={**env, "DATABASE_URL": big},
            check=True,
        )  # fmt: skip
        counts = {
            name: _run_counts(_with_database(url, name), manifests[name], env) for name in (big_db, small_db)
        }
        paths = counts[big_db]["paths"]
        out["pages"] = {
            name: {
                "queries": counts[big_db]["queries"][name],
                "queries_small": counts[small_db]["queries"][name],
            }
            for name in PAGES
        }
        with gunicorn({**env, "DATABASE_URL": big}) as port:
            cookies = {role: sign_in(port, email) for role, email in manifests[big_db]["emails"].items()}
            if "pages" in steps:
                for name, (role, _) in PAGES.items():
                    headers = {"Cookie": cookies[role]}
                    for _ in range(args.warmup):
                        get(port, paths[name], headers)
                    times = [get(port, paths[name], headers) for _ in range(args.requests)]
                    out["pages"][name].update(median=statistics.median(times), p95=p95(times))
                    print(
                        f"{name:<55} median {statistics.median(times):7.1f} ms  p95 {p95(times):7.1f} ms",
                        flush=True,
                    )
            if "load" in steps:
                out["load"] = _mixed_load(port, paths, cookies, args.clients, args.load_seconds)
                print(f"mixed load: {out['load']}", flush=True)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        for name in (big_db, small_db):
            _drop_database(_with_database(url, "postgres"), name)
    return out


def _seed(url: str, name: str, applicants: int, smes: int, env: dict) -> dict:
    _recreate_database(_with_database(url, "postgres"), name)
    database = {**env, "DATABASE_URL": _with_database(url, name)}
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=database, check=True)  # noqa: S603
    manifest_path = Path(tempfile.mkstemp(prefix="smeqa-seed-", suffix=".json")[1])
    start = time.perf_counter()
    print(f"\n== seed_scale --applicants {applicants} --smes {smes} into {name}", flush=True)
    subprocess.run(  # noqa: S603
        [PY, "manage.py", "seed_scale", "--applicants", str(applicants), "--smes", str(smes),
         "--manifest", str(manifest_path), "--password", PASSWORD],
        cwd=ROOT, env=database, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    vacuum = ["psql", _with_database(url, name), "-qc", "VACUUM ANALYZE"]
    subprocess.run(vacuum, check=True)  # noqa: S603
    manifest = json.loads(manifest_path.read_text())
    manifest_path.unlink()
    manifest["seed_s"] = seconds
    manifest["emails"] = {
        "hr": manifest["hr_email"],
        "sme": manifest["sme_email"],
        "manager": manifest["manager_email"],
        "candidate": manifest["candidate_email"],
    }
    return manifest


def _run_counts(database_url: str, manifest: dict, env: dict) -> dict:
    """Query counts and page paths, from a subprocess bound to that database."""
    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as handle:
        json.dump(manifest, handle)
    try:
        subprocess.run(  # noqa: S603
            [PY, "bench/run.py", "--count-pages", handle.name], cwd=ROOT,
            env={**env, "DATABASE_URL": database_url}, check=True,
        )  # fmt: skip
        return json.loads(Path(handle.name).read_text())
    finally:
        os.unlink(handle.name)


def _count_pages(manifest_path: Path) -> int:
    """(subprocess) Every page's path and its query count with Django's test client; the result
    replaces the manifest file's content."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hiring.models import Application, User
    from hiring.selectors import encode_cursor
    from hiring.workflow import Status

    manifest = json.loads(manifest_path.read_text())
    action, certificate = manifest["action_id"], manifest["certificate_id"]
    rows = Application.objects.filter(action_id=action).order_by("applicant_name", "id")
    total = rows.count()
    deep = rows[min(40_000, int(total * 0.8))]  # 40,000 rows deep at 50,000
    busiest = (
        Application.objects.filter(action_id=action)
        .values_list("status", flat=True)
        .annotate(n=Count("*"))
        .order_by("-n")
        .first()
    ) or Status.RECEIVED
    paths = {
        "SME home (cheapest)": "/sme/",
        "Candidate home": "/status/",
        "HR applicant list, page 1 (status filter, by name)": f"/hr/actions/{action}/?status={busiest}&sort=name",
        "HR applicant list, page 1 (by name)": f"/hr/actions/{action}/?sort=name",
        "HR applicant list, 40,000 rows deep (by name)": (
            f"/hr/actions/{action}/?sort=name&after={encode_cursor(deep.applicant_name, deep.pk)}"
        ),
        "SME resume-review queue": f"/sme/actions/{action}/reviews/",
        "SME interview schedule": f"/sme/actions/{action}/interviews/",
        "HR resume-review dashboard": f"/hr/actions/{action}/resume-review/",
        "HR interviews dashboard": f"/hr/actions/{action}/interviews/",
        "HR certificate page": f"/hr/actions/{action}/certificate/",
        "Hiring manager certificate page": f"/certificates/{certificate}/",
        "Hiring manager home": "/manager/",
        "Candidate status": f"/status/{manifest['candidate_application_id']}/",
    }
    users = {
        role: User.objects.get(email=manifest[f"{role}_email"])
        for role in ("hr", "sme", "manager", "candidate")
    }
    queries = {}
    for name, (role, _) in PAGES.items():
        client = Client()
        client.force_login(users[role])
        client.get(paths[name])  # the first request of a session fills caches a user would have
        with CaptureQueriesContext(connection) as captured:
            response = client.get(paths[name])
        if response.status_code != 200:
            raise SystemExit(f"{name}: {paths[name]} answered {response.status_code} for {role}")
        queries[name] = len(captured)
    manifest_path.write_text(json.dumps({"paths": paths, "queries": queries}))
    return 0


def _mixed_load(port: int, paths: dict, cookies: dict, clients: int, seconds: int) -> dict:
    names, weights = zip(*LOAD_MIX.items(), strict=True)
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 (load mix, not secrets)
        mine, failed = [], []
        while time.monotonic() < stop:
            name = rng.choices(names, weights)[0]
            try:
                mine.append(get(port, paths[name], {"Cookie": cookies[PAGES[name][0]]}))
            except Exception as error:  # counted, reported; the load goes on
                failed.append(f"{name}: {error!r}")
        with lock:
            times.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return {
        "seconds": round(elapsed, 1),
        "clients": clients,
        "requests": len(times),
        "per_second": len(times) / elapsed,
        "median": statistics.median(times) if times else None,
        "p95": p95(times) if len(times) > 1 else None,
        "errors": len(errors),
        "first_errors": errors[:3],
    }


# --- the report -----------------------------------------------------------------------------------------


def _markdown(r: dict) -> str:
    lines = [
        f"Written by `make bench` ({r['started']}). Machine: {r['machine']}.",
        "",
        "| what | target | measured | x cheapest page | queries at 50,000 / 100 | met |",
        "|---|---|---|---:|---|---|",
    ]
    pages = r.get("pages", {})
    timed = {n: p for n, p in pages.items() if "median" in p}
    cheapest = min((p["median"] for p in timed.values()), default=None)
    first = timed.get("HR applicant list, page 1 (by name)")  # the deep page's own first page
    for name, (_, target) in PAGES.items():
        page = pages.get(name)
        if not page:
            continue
        same = page["queries"] == page["queries_small"] and page["queries"] <= 12
        measured, ratio, met = "not timed", "", ""
        if "median" in page:
            measured = f"median {page['median']:.1f} ms, p95 {page['p95']:.1f} ms"
            ratio = f"{page['median'] / cheapest:.1f}"
            ok = (target is None or page["p95"] <= target) and same
            if "deep" in name and first:
                depth = page["median"] / first["median"]
                measured += f" ({depth:.2f}x page 1)"
                ok = ok and depth <= 1.2
            met = "yes" if ok else "**no**"
        goal = "reference" if target is None else f"p95 ≤ {target} ms, ≤ 12 queries, same at both sizes"
        if "deep" in name:
            goal = "p95 ≤ 50 ms; ≤ 1.2x page 1"
        lines.append(
            f"| {name} | {goal} | {measured} | {ratio} | {page['queries']} / {page['queries_small']} | {met} |"
        )
    if load := r.get("load"):
        ok = load["per_second"] >= 150 and (load["p95"] or 1e9) <= 150 and load["errors"] == 0
        lines.append(
            f"| Mixed read load, {load['seconds']:.0f} s, {load['clients']} clients, gunicorn 2 workers "
            f"| ≥ 150 requests/s, p95 ≤ 150 ms, 0 errors | {load['per_second']:.0f} requests/s, "
            f"p95 {load['p95']:.1f} ms, {load['errors']} errors | | | {'yes' if ok else '**no**'} |"
        )
    if "seed_s" in r:
        ok = r["seed_s"] < 120
        lines.append(
            f"| `seed_scale` (build the action, every phase) | < 2 min | {r['seed_s']:.1f} s | | | "
            f"{'yes' if ok else '**no**'} |"
        )
    if imp := r.get("import_usas"):
        lines.append(
            f"| Import {imp['rows']:,} USA Staffing rows | ≤ 5 s, all or nothing | median {imp['median_s']:.2f} s, "
            f"peak {imp['peak_rss_mb']:.0f} MB | | | {'yes' if imp['median_s'] <= 5 else '**no**'} |"
        )
    if cat := r.get("category_rating"):
        lines.append(
            f"| Category rating and ordering of {cat['applicants']:,} | ≤ 2 s | median {cat['median_s']:.2f} s "
            f"| | | {'yes' if cat['median_s'] <= 2 else '**no**'} |"
        )
    if pool := r.get("pooled"):
        slowest = max(pool["page"]["median_s"], pool["issue"]["median_s"])
        lines.append(
            f"| Pooled GS-12/13/14, {pool['applicants']:,} applicants ({pool['qualified']:,} qualified, "
            f"{pool['slots']} certificates): HR's certificate tab uncached; issuing one of "
            f"{pool['preview_names']} names | ≤ 2 s each | tab median {pool['page']['median_s']:.2f} s "
            f"({pool['page_queries']} queries); issue median {pool['issue']['median_s']:.2f} s "
            f"({pool['issue_queries']:,} queries); pool progress {pool['progress']['median_s'] * 1000:.0f} ms "
            f"| | | {'yes' if slowest <= 2 else '**no** (see below)'} |"
        )
    if notices := r.get("notices"):
        ok = notices.get("queued_s", 1e9) <= 30 and notices.get("per_second", 0) >= 500
        lines.append(
            f"| Notices for {notices.get('applicants', 0):,} applicants | queued ≤ 30 s; ≥ 500/s by 2 workers "
            f"| queued {notices.get('queued_s', float('nan')):.1f} s; {notices.get('per_second', 0):.0f}/s "
            f"| | | {'yes' if ok else '**no**'} |"
        )
    if pdf := r.get("certificate_pdf"):
        ok = pdf["median_s"] <= 5 and pdf["peak_mb"] <= 400
        lines.append(
            f"| Certificate PDF of {pdf['names']:,} names | ≤ 5 s, ≤ 400 MB | median {pdf['median_s']:.2f} s, "
            f"{pdf['peak_mb']:.0f} MB | | | {'yes' if ok else '**no** (see below)'} |"
        )
    if up := r.get("uploads"):
        lines.append(
            f"| Upload check of a clean 2-page resume (issue 8) | p95 ≤ 50 ms | median {up['median_ms']:.1f} ms, "
            f"p95 {up['p95_ms']:.1f} ms; every hostile file refused, slowest {up['slowest_refusal']} "
            f"{up['slowest_refusal_ms']:.0f} ms | | | {'yes' if up['p95_ms'] <= 50 else '**no**'} |"
        )
    for failure in r.get("failed", []):
        lines.append(f"\nFailed: {failure}")
    return "\n".join(lines)


def _write_performance_md(table: str) -> None:
    path = ROOT / "docs/performance.md"
    text = path.read_text()
    if BEGIN not in text:
        head, _, rest = text.partition("\n\n")
        text = f"{head}\n\n## Latest `make bench`\n\n{BEGIN}\n{END}\n\n{rest}"
    before, _, tail = text.partition(BEGIN)
    _, _, after = tail.partition(END)
    path.write_text(f"{before}{BEGIN}\n{table}\n{END}{after}")


if __name__ == "__main__":
    sys.exit(main())
