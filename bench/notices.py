"""Benchmark: notices for N applicants, queued by one bulk move and emailed by 2 Celery worker processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smeqa .venv/bin/python bench/notices.py --applicants 50000

Makes a throwaway database (smeqa_bench_notices, on the server DATABASE_URL names), migrates it, and
builds one hiring action in resume review with --applicants received applications, each from a
candidate account with an email address (COPY). It starts a local SMTP sink (aiosmtpd) on a free port
and one Celery worker with --processes child processes (default 2) on Redis database --redis-db
(default 11, flushed at the start and the end, so nothing else's queue is touched), whose mail goes
to the sink.

Then it times HR's screening_release of every application: "queued" is from the call to its return,
after the commit and after every delivery batch is on Redis (hiring.tasks.notices_send_batch). It waits
until the sink has every message and reports delivered per second, from the commit and between the
first and the last message. It checks that every notice row is SENT and that no Message-ID arrived
twice. The issue 7 target: queued in 30 s or less, delivered at 500/s or more. The database is
dropped at the end unless --keep is given. docs/performance.md records the figures.
"""

import argparse
import os
import platform
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from import_usas import FIRST, LAST, _drop_database, _recreate_database, _with_database
from report import record

ROOT = Path(__file__).resolve().parent.parent
MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


class Sink:
    """An aiosmtpd handler that counts each message by its Message-ID, with the first and last arrival."""

    def __init__(self) -> None:
        self.ids: Counter[bytes] = Counter()
        self.received = 0
        self.first: float | None = None
        self.last: float | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        found = MESSAGE_ID.search(envelope.content)
        now = time.perf_counter()
        with self._lock:
            self.ids[found.group(1) if found else b"(none)"] += 1
            self.received += 1
            self.first = self.first or now
            self.last = now
        return "250 OK"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--processes", type=int, default=2, help="Celery worker child processes.")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server, no database.")
    parser.add_argument("--redis-db", type=int, default=11, help="Redis database for the broker (flushed).")
    parser.add_argument("--database", default="smeqa_bench_notices", help="The throwaway database to create.")
    parser.add_argument("--timeout", type=float, default=900, help="Seconds to wait for delivery.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/smeqa",
            file=sys.stderr,
        )
        return 2
    broker = f"{args.redis.rstrip('/')}/{args.redis_db}"
    _flush(broker)
    _recreate_database(_with_database(url, "postgres"), args.database)
    env = {
        "DATABASE_URL": _with_database(url, args.database),
        "DJANGO_SETTINGS_MODULE": "smeqa.settings",
        "SECRET_KEY": "bench-only-not-secret",
        "DEBUG": "false",  # no query log growing in memory
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": broker,  # not eager: tasks go to Redis
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    try:
        return _run(args, env)
    finally:
        from django.db import connections

        connections.close_all()
        _flush(broker)
        if not args.keep:
            _drop_database(_with_database(url, "postgres"), args.database)


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import connection

    from hiring import services, tasks
    from hiring.models import Notice

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    action, hr = _build(args.applicants)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"data: {args.applicants:,} received applications with accounts, built in {time.perf_counter() - start:.1f} s"
    )

    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    worker = _start_worker(args, {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"})
    try:
        enqueue: list[float] = []
        batches = tasks.notices_send_in_batches

        def timed_batches(ids):  # the on-commit step, timed on its own
            begun = time.perf_counter()
            queued = batches(ids)
            enqueue.extend([begun, time.perf_counter(), queued])
            return queued

        tasks.notices_send_in_batches = timed_batches
        start = time.perf_counter()
        moved = services.screening_release(action_id=action.pk, actor=hr)
        end = time.perf_counter()
        tasks.notices_send_in_batches = batches
        assert moved == args.applicants, moved
        committed, enqueued, batch_count = enqueue
        print(
            f"queued: {end - start:.2f} s (move, audit rows, notices, commit {committed - start:.2f} s; "
            f"{batch_count:.0f} batch tasks onto Redis {enqueued - committed:.2f} s)"
        )

        cpu_before = _cpu_seconds(worker.pid), time.process_time()
        deadline, progress, seen = time.perf_counter() + args.timeout, time.perf_counter(), 0
        while len(sink.ids) < args.applicants:
            time.sleep(0.25)
            if sink.received != seen:
                seen, progress = sink.received, time.perf_counter()
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited with {worker.returncode}")
            if time.perf_counter() > deadline or time.perf_counter() - progress > 60:
                raise RuntimeError(f"delivery stalled at {sink.received:,} of {args.applicants:,} messages")
        cpu_workers = _cpu_seconds(worker.pid) - cpu_before[0]
        cpu_sink = time.process_time() - cpu_before[1]  # this process: the sink's thread and the polling
        time.sleep(2)  # a duplicate would arrive just after
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        controller.stop()

    sent = Notice.objects.filter(application__action=action, delivery=Notice.Delivery.SENT).count()
    notices = Notice.objects.filter(application__action=action).count()
    attempts = sum(Notice.objects.filter(application__action=action).values_list("attempts", flat=True))
    keys = {f"<{key}@smeqa.notices>".encode() for key in Notice.objects.values_list("key", flat=True)}
    duplicates = sum(n - 1 for n in sink.ids.values() if n > 1)
    from_commit = sink.last - committed
    spread = sink.last - sink.first
    record(
        "notices", applicants=args.applicants, queued_s=end - start, per_second=args.applicants / from_commit,
        duplicates=duplicates, sent=sent,
    )  # fmt: skip
    print()
    print(f"{'measure':<44} {'value':>12}")
    print(f"{'applicants (emailed notices)':<44} {args.applicants:>12,}")
    print(f"{'queued: call to commit + tasks on Redis, s':<44} {end - start:>12.2f}")
    print(f"{'delivered, commit to last message, s':<44} {from_commit:>12.2f}")
    print(f"{'delivered per second, from commit':<44} {args.applicants / from_commit:>12.0f}")
    print(f"{'delivered per second, first to last':<44} {args.applicants / spread:>12.0f}")
    print(f"{'messages at the sink':<44} {sink.received:>12,}")
    print(f"{'duplicate Message-IDs':<44} {duplicates:>12,}")
    print(f"{'notice rows SENT / written':<44} {f'{sent:,} / {notices:,}':>12}")
    print(f"{'send attempts recorded':<44} {attempts:>12,}")
    print(f"{'worker processes':<44} {args.processes:>12}")
    print(
        f"{'CPU per message: Celery worker processes, ms':<44} {cpu_workers / args.applicants * 1000:>12.2f}"
    )
    print(f"{'CPU per message: SMTP sink, ms':<44} {cpu_sink / args.applicants * 1000:>12.2f}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"PostgreSQL {server}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"load average {os.getloadavg()[0]:.1f}, {date.today().isoformat()}"
    )
    ok = sent == notices == args.applicants and duplicates == 0 and set(sink.ids) == keys
    if not ok:
        print("FAILED: not every notice was emailed exactly once", file=sys.stderr)
    return 0 if ok else 1


def _build(count: int):
    """One action in resume review, its HR specialist, and `count` received applications from
    candidate accounts, written with COPY (smeqa.bulk.insert_rows)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from hiring.models import ActionRole, Agency, AgencyRole, Application, HiringAction, Role, User
    from hiring.workflow import Phase, Status
    from smeqa.bulk import insert_rows

    agency = Agency.objects.create(name="Bench Agency", code="BENCH")
    hr = User.objects.create_user("hr@bench.test", password=None, full_name="Bench HR", agency=agency)
    AgencyRole.objects.create(agency=agency, user=hr)
    now = timezone.now()
    action = HiringAction.objects.create(
        agency=agency, title="Bench notices", series="2210", grades=[13], full_performance_level=13,
        duty_locations=["Washington, DC"], phase=Phase.RESUME_REVIEW, phase_changed_at=now,
        job_analysis_finalized_at=now - timedelta(days=30),
    )  # fmt: skip
    ActionRole.objects.create(action=action, user=hr, role=Role.HR)
    rng = random.Random(2026)  # noqa: S311 (test data, not secrets)
    unusable = make_password(None)
    for start in range(0, count, 10_000):
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(start, min(count, start + 10_000))]
        users = [
            {"email": f"applicant{start + n}@bench.test", "full_name": name, "password": unusable}
            for n, name in enumerate(names)
        ]
        user_ids = insert_rows(User, users)
        insert_rows(
            Application,
            [
                {
                    "action_id": action.pk,
                    "candidate_id": pk,
                    "applicant_name": name,
                    "status": Status.RECEIVED.value,
                    "submitted_at": now - timedelta(days=10),
                    "status_changed_at": now - timedelta(days=10),
                    "citizenship_attested": True,
                    "resume_pages": 2,
                }
                for pk, name in zip(user_ids, names, strict=True)
            ],
        )
    return action, hr


def _start_worker(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    """One Celery worker with `args.processes` child processes; returns once it answers a ping."""
    from smeqa.celery import app

    node = f"bench-notices-{os.getpid()}@localhost"
    worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [str(ROOT / ".venv/bin/celery"), "-A", "smeqa", "worker", "--pool", "prefork",
         "--concurrency", str(args.processes), "-n", node, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[node], timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError("the Celery worker did not start")
    return worker


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far (Linux /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for each in [pid, *map(int, children)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _flush(broker: str) -> None:
    import redis

    redis.Redis.from_url(broker).flushdb()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
