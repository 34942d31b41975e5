"""Benchmark: the SME queue and HR's resume-review dashboard at N applicants, over real HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smeqa .venv/bin/python bench/resume_review.py \\
        --applicants 50000 --smes 200

Makes a throwaway database (smeqa_bench_rr, on the server DATABASE_URL names), migrates it, and builds
one hiring action in resume review with 2 competencies, --smes SMEs who checked conflicts, and
--applicants applications in review with about 2.2 reviews each (slots 1 and 2 for everyone, balanced
over the SMEs): ~60% settled, ~20% split with a tiebreak (half of those still open), ~10% with a
returned review, ~10% still being reviewed. A second action with --small applicants (first 10 SMEs)
shows that the query counts do not depend on size.

Then it starts gunicorn (`smeqa.wsgi`, --workers 2, DEBUG=false) on a free localhost port, signs in
through the login form, and times --warmup + --requests sequential GETs of /sme/ (the cheapest
signed-in page), the SME queue and the HR dashboard; it prints median and p95 in ms and each page's
ratio to /sme/. Query counts come from Django's test Client in this process. The dashboard's numbers
are checked against what was generated. The database is dropped at the end unless --keep is given;
--reuse measures a database kept earlier. docs/performance.md records the figures.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from import_usas import _drop_database, _recreate_database, _with_database
from server import PASSWORD, get, gunicorn, p95, sign_in

ROOT = Path(__file__).resolve().parent.parent
BIG, SMALL = "Bench resume review (large)", "Bench resume review (small)"
MF, DNMF = "move_forward", "does_not_move_forward"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--smes", type=int, default=200)
    parser.add_argument("--small", type=int, default=100, help="Applicants on the second, small action.")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--conn-max-age", type=int, help="CONN_MAX_AGE for the server (default: unset, the settings' 0)."
    )
    parser.add_argument("--database", default="smeqa_bench_rr", help="The throwaway database to create.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Measure a database kept by --keep.")
    args = parser.parse_args()
    if args.smes < 10:
        parser.error("--smes must be at least 10 (a tiebreak needs a third SME; the small action uses 10)")

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/smeqa",
            file=sys.stderr,
        )
        return 2
    bench_url = _with_database(url, args.database)
    if not args.reuse:
        _recreate_database(_with_database(url, "postgres"), args.database)
    static_root = tempfile.mkdtemp(prefix="smeqa-bench-static-")
    env = {
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "bench.server_settings",
        "BENCH_STATIC_ROOT": static_root,
        "SECRET_KEY": "bench",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    if args.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(args.conn_max_age)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    try:
        return _run(args, env)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep:
            _drop_database(_with_database(url, "postgres"), args.database)


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hiring.models import HiringAction, User

    start = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"collectstatic: {time.perf_counter() - start:.1f} s")
    if args.reuse:
        big, small = HiringAction.objects.get(title=BIG), HiringAction.objects.get(title=SMALL)
        expected = {}
    else:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        big, small, expected = _build(args)
        built = time.perf_counter() - start
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"data: {args.applicants:,} + {args.small:,} applicants, {args.smes} SMEs built in {built:.1f} s "
            f"(VACUUM ANALYZE {time.perf_counter() - start:.1f} s)"
        )
    hr = User.objects.get(email="hr@bench.test")
    sme = User.objects.get(email="sme0@bench.test")
    counts = _reviews_per_action()
    print(
        "reviews: "
        + "; ".join(f"{title}: {n:,} ({n / apps:.2f} per applicant)" for title, (n, apps) in counts.items())
    )

    pages = {
        "/sme/ (home)": ("/sme/", sme),
        "SME queue": (f"/sme/actions/{big.pk}/reviews/", sme),
        "HR dashboard": (f"/hr/actions/{big.pk}/resume-review/", hr),
        "HR applicants, page 1": (f"/hr/actions/{big.pk}/?sort=name", hr),
        "HR applicants, deep page": (_deep_page(big, 0.8), hr),
    }
    small_pages = {
        "/sme/ (home)": ("/sme/", sme),
        "SME queue": (f"/sme/actions/{small.pk}/reviews/", sme),
        "HR dashboard": (f"/hr/actions/{small.pk}/resume-review/", hr),
        "HR applicants, page 1": (f"/hr/actions/{small.pk}/?sort=name", hr),
        "HR applicants, deep page": (_deep_page(small, 0.8), hr),
    }
    queries = {
        name: (_query_count(path, user), _query_count(small_pages[name][0], user))
        for name, (path, user) in pages.items()
    }
    for action, want in ((big, expected.get(big.pk)), (small, expected.get(small.pk))):
        _check_dashboard(action, hr, want)

    timings = _measure(args, env, pages)
    home = statistics.median(timings["/sme/ (home)"])
    print()
    print(
        f"{args.warmup} warm-up + {args.requests} timed sequential GETs per page, gunicorn --workers {args.workers}"
        + (f", CONN_MAX_AGE={args.conn_max_age}" if args.conn_max_age is not None else "")
    )
    print(
        f"{'page':<25} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'x home':>7} {'queries':>8} {'at ' + str(args.small):>8}"
    )
    for name, times in timings.items():
        median, high = statistics.median(times), p95(times)
        big_q, small_q = queries[name]
        print(
            f"{name:<25} {median:>10.1f} {high:>8.1f} {max(times):>8.1f} {median / home:>7.1f} {big_q:>8} {small_q:>8}"
        )
    print()
    print("where the time goes, in this process (median of 20 calls, ms):")
    for name, ms in _selector_times(big, sme).items():
        print(f"  {name:<40} {ms:>7.1f}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"PostgreSQL {server}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"load average {os.getloadavg()[0]:.1f}, {date.today().isoformat()}"
    )
    return 0


def _deep_page(action, fraction: float) -> str:
    """HR's applicant list, sorted by name, starting after the row `fraction` of the way down: 40,000
    rows deep at 50,000 (issue 7: a deep page no slower than the first)."""
    from hiring.models import Application
    from hiring.selectors import encode_cursor

    rows = Application.objects.filter(action=action).order_by("applicant_name", "id")
    row = rows[int(rows.count() * fraction)]
    return f"/hr/actions/{action.pk}/?sort=name&after={encode_cursor(row.applicant_name, row.pk)}"


# --- data ------------------------------------------------------------------------------------------


def _build(args: argparse.Namespace) -> tuple:
    """Both actions with their people and reviews; returns them with each one's expected dashboard."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from assessments.models import ConflictCheck
    from hiring.models import ActionRole, Agency, AgencyRole, Competency, HiringAction, Role, User
    from hiring.workflow import Phase

    agency = Agency.objects.create(name="Bench Agency", code="BENCH")
    hr = User.objects.create_user("hr@bench.test", password=PASSWORD, full_name="Bench HR", agency=agency)
    AgencyRole.objects.create(agency=agency, user=hr)
    unusable = make_password(None)
    smes = User.objects.bulk_create(
        User(email=f"sme{n}@bench.test", full_name=f"SME {n:03d}", agency=agency, password=unusable)
        for n in range(args.smes)
    )
    smes[0].set_password(PASSWORD)
    smes[0].save(update_fields=["password"])
    started = timezone.now() - timedelta(days=4)
    actions, expected = [], {}
    for title, applicants, people in ((BIG, args.applicants, smes), (SMALL, args.small, smes[:10])):
        action = HiringAction.objects.create(
            agency=agency, title=title, series="2210", grades=[13], full_performance_level=13,
            duty_locations=["Washington, DC"], phase=Phase.RESUME_REVIEW, phase_changed_at=started,
            job_analysis_finalized_at=started,
        )  # fmt: skip
        competencies = [
            Competency.objects.create(action=action, order=n, name=name, definition=f"{name} at GS-13.")
            for n, name in enumerate(["Software delivery", "Research"])
        ]
        ActionRole.objects.create(action=action, user=hr, role=Role.HR)
        ActionRole.objects.bulk_create(ActionRole(action=action, user=u, role=Role.SME) for u in people)
        ConflictCheck.objects.bulk_create(
            ConflictCheck(action=action, sme=u, completed_at=started) for u in people
        )
        expected[action.pk] = _fill(action, applicants, [u.pk for u in people], hr.pk, competencies, started)
        actions.append(action)
    return actions[0], actions[1], expected


def _fill(action, count: int, sme_ids: list[int], hr_id: int, competencies, started) -> dict:
    """COPY `count` applications in resume review and their reviews; returns the expected dashboard."""
    from django.db import connection

    rng = random.Random(2026 + count)  # noqa: S311 (test data, not secrets)
    first = ["Avery", "Blake", "Carmen", "Devon", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonah"]
    last = ["Johnson", "Thompson", "Diaz", "Walker", "Petrova", "Haddad", "O'Neill", "Tanaka", "Brooks"]
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        columns = (
            "action_id, candidate_id, applicant_name, status, submitted_at, status_changed_at, "
            "citizenship_attested, preference_claim, sharing_opt_in, resume_pages, source, external_number, "
            "external_data, review_signature"
        )
        with cursor.copy(f"COPY hiring_application ({columns}) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row(
                    (action.pk, None, f"{rng.choice(first)} {rng.choice(last)}", "in_resume_review",
                     started - timedelta(days=20), started, True, "NV", None, 2, "usa_staffing",
                     str(20_000_000 + n), "{}", 0)
                )  # fmt: skip
        cursor.execute("SELECT external_number, id FROM hiring_application WHERE action_id = %s", [action.pk])
        ids = {int(number) - 20_000_000: pk for number, pk in cursor.fetchall()}

        states: Counter[str] = Counter()
        pairs = splits = 0
        columns = (
            "application_id, action_id, sme_id, slot, state, ratings, experience_met, recency_met, decision, "
            "justification, hr_note, version, assigned_at, saved_at, submitted_at, accepted_at, accepted_by_id"
        )
        c1, c2 = (str(c.pk) for c in competencies)
        with cursor.copy(f"COPY assessments_resumereview ({columns}) FROM STDIN") as copy:

            def review(n: int, slot: int, state: str, decision: str = "") -> None:
                assigned = started + timedelta(minutes=rng.randrange(0, 24 * 60))
                done = state in {"submitted", "accepted", "returned"}
                submitted = assigned + timedelta(minutes=rng.randrange(20, 48 * 60)) if done else None
                if state == "draft":
                    ratings = {c1: "meets"}
                elif not done:
                    ratings = {}
                else:
                    ratings = {c1: "meets" if decision == MF else "not_met", c2: "meets"}
                copy.write_row(
                    (ids[n], action.pk, sme_ids[(2 * n + slot - 1) % len(sme_ids)], slot, state,
                     json.dumps(ratings), True if done else None, None, decision if done else "",
                     "" if decision != DNMF or not done else "No software delivery at the GS-13 level.",
                     "Name the missing competency." if state == "returned" else "",
                     3 if done else (2 if state == "draft" else 1), assigned,
                     submitted or (assigned + timedelta(minutes=5) if state == "draft" else None), submitted,
                     submitted + timedelta(hours=3) if state == "accepted" else None,
                     hr_id if state == "accepted" else None)
                )  # fmt: skip

            def done_state() -> str:
                return "accepted" if rng.random() < 0.5 else "submitted"

            def open_state() -> str:
                return "draft" if rng.random() < 0.3 else "assigned"

            for n in range(count):
                kind = rng.random()
                if kind < 0.60:  # settled: both agree
                    decision = MF if rng.random() < 0.7 else DNMF
                    both = [done_state(), done_state()]
                    for slot, state in zip((1, 2), both, strict=True):
                        review(n, slot, state, decision)
                    states["ready" if both == ["accepted", "accepted"] else "awaiting_hr"] += 1
                    pairs += 1
                elif kind < 0.80:  # split, with a tiebreak
                    first_two = [MF, DNMF] if rng.random() < 0.5 else [DNMF, MF]
                    done = [done_state(), done_state()]
                    for slot in (1, 2):
                        review(n, slot, done[slot - 1], first_two[slot - 1])
                    pairs, splits = pairs + 1, splits + 1
                    if rng.random() < 0.5:
                        review(n, 3, open_state())
                        states["split"] += 1
                    else:
                        third = done_state()
                        review(n, 3, third, MF if rng.random() < 0.6 else DNMF)
                        done.append(third)
                        states["ready" if set(done) == {"accepted"} else "awaiting_hr"] += 1
                elif kind < 0.90:  # one review returned by HR
                    decision = MF if rng.random() < 0.5 else DNMF
                    returned = rng.choice((1, 2))
                    for slot in (1, 2):
                        review(n, slot, "returned" if slot == returned else done_state(), decision)
                    states["returned"] += 1
                elif rng.random() < 0.5:  # nobody has finished yet
                    review(n, 1, open_state())
                    review(n, 2, open_state())
                    states["awaiting_first"] += 1
                else:  # the first is in
                    review(n, 1, done_state(), MF)
                    review(n, 2, open_state())
                    states["awaiting_second"] += 1
        # What the review services keep on each application, computed once for the whole load.
        from assessments.selectors import signature_update_sql

        wrapper.execute(*signature_update_sql(action_id=action.pk))
    from assessments.services import review_loads_rebuild

    review_loads_rebuild(action_id=action.pk)
    rate = round(splits / pairs * 100) if pairs else None  # as {% widthratio %} rounds
    return {"states": dict(states), "split_rate": f"{rate}%" if rate is not None else "not yet known"}


def _reviews_per_action() -> dict[str, tuple[int, int]]:
    """Reviews and applicants per action (two grouped queries: one join would multiply the rows)."""
    from django.db.models import Count

    from assessments.models import ResumeReview
    from hiring.models import Application, HiringAction

    titles = dict(HiringAction.objects.values_list("pk", "title"))
    apps = dict(Application.objects.values_list("action_id").annotate(n=Count("id")).order_by())
    reviews = dict(ResumeReview.objects.values_list("action_id").annotate(n=Count("id")).order_by())
    return {titles[pk]: (reviews.get(pk, 0), n) for pk, n in apps.items()}


# --- queries and correctness ------------------------------------------------------------------------


def _client(user):
    from django.test import Client
    from django.test.utils import setup_test_environment

    if not getattr(_client, "ready", False):
        setup_test_environment()  # allows the test client's host, "testserver"
        _client.ready = True
    client = Client()
    client.force_login(user)
    return client


def _query_count(path: str, user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(user)
    assert client.get(path).status_code == 200  # first request: sessions, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def _check_dashboard(action, hr, expected: dict | None) -> None:
    """The page's counts are the generated ones (skipped with --reuse, which does not know them)."""
    body = _client(hr).get(f"/hr/actions/{action.pk}/resume-review/").content.decode()
    shown = {key: int(n) for key, n in re.findall(r'data-state="(\w+)">(\d+)<', body)}
    rate = re.search(r"data-split-rate>([^<]+)<", body).group(1)
    print(f"dashboard of {action.title}: {shown}, split rate {rate}")
    if expected is None:
        return
    want = {key: expected["states"].get(key, 0) for key in shown if key != "sent"} | {"sent": 0}
    assert shown == want, (shown, want)
    assert rate == expected["split_rate"], (rate, expected["split_rate"])


def _selector_times(action, sme, runs: int = 20) -> dict[str, float]:
    """Each selector the three pages call that reads more than a few rows, on its own."""
    from django.db.models import QuerySet

    from assessments import selectors
    from hiring import selectors as hiring_selectors
    from hiring.models import Role

    def evaluated(result):
        if isinstance(result, dict):
            return {k: list(v) if isinstance(v, QuerySet) else v for k, v in result.items()}
        return list(result)

    calls = {
        "SME queue: sme_queue": lambda: selectors.sme_queue(sme=sme, action=action),
        "dashboard: resume_review_dashboard": lambda: selectors.resume_review_dashboard(action=action),
        "dashboard: reviews_for_quality_check": lambda: selectors.reviews_for_quality_check(action=action),
        "dashboard: ready_to_send": lambda: selectors.ready_to_send(action=action),
        "/sme/: actions_for": lambda: hiring_selectors.actions_for(user=sme, role=Role.SME),
    }
    times = {}
    for name, call in calls.items():
        for _ in range(3):
            evaluated(call())
        runs_ms = []
        for _ in range(runs):
            start = time.perf_counter()
            evaluated(call())
            runs_ms.append((time.perf_counter() - start) * 1000)
        times[name] = statistics.median(runs_ms)
    return times


# --- HTTP -------------------------------------------------------------------------------------------


def _measure(args: argparse.Namespace, env: dict[str, str], pages: dict) -> dict[str, list[float]]:
    with gunicorn(env, workers=args.workers) as port:
        cookies = {user.pk: sign_in(port, user.email) for _, user in pages.values()}
        timings = {}
        for name, (path, user) in pages.items():
            headers = {"Cookie": cookies[user.pk]}
            for _ in range(args.warmup):
                get(port, path, headers)
            timings[name] = [get(port, path, headers) for _ in range(args.requests)]
        return timings


if __name__ == "__main__":
    sys.exit(main())
