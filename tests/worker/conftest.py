"""What the real-worker tests share: an SMTP sink that counts what it accepts per notice, and real
Celery workers (started as `celery -A smeqa worker` processes) against a real Redis.

The worker processes open the test database, so these tests need PostgreSQL; they skip on SQLite.
"""

import asyncio
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from smeqa.celery import app

from .brokers import RedisServer, free_port, use_broker

ROOT = Path(__file__).resolve().parents[2]
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
_MESSAGE_ID = re.compile(rb"^Message-ID: <([0-9a-f-]+)@smeqa\.notices>", re.MULTILINE | re.IGNORECASE)


class Sink:
    """An SMTP server that keeps every message it accepts and counts them by notice key.

    `hold_after(n)`: once it holds n messages, it stops answering the next message's RCPT until
    `release()`, so the sender is caught mid-message, before the server has accepted it.
    """

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.keys: Counter[str] = Counter()
        self.holding = threading.Event()
        self._hold_after: int | None = None
        self._gates: list[threading.Event] = []

    def hold_after(self, count: int) -> None:
        self.holding.clear()
        self._hold_after = count

    def release(self) -> None:
        """Let every held message go on (the sender may be gone by then)."""
        for gate in self._gates:
            gate.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._hold_after is not None and len(self.messages) >= self._hold_after:
            self._hold_after = None
            gate = threading.Event()
            self._gates.append(gate)
            self.holding.set()
            while not gate.is_set():
                await asyncio.sleep(0.01)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        match = _MESSAGE_ID.search(envelope.content)
        self.keys[match.group(1).decode() if match else "?"] += 1
        return "250 OK"


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())  # aiosmtpd needs a concrete port
    controller.start()
    yield sink, controller.port
    sink.release()
    controller.stop()


def wait_until(condition, seconds: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.1)


@dataclass
class Worker:
    """One `celery worker` process (its pool children in its process group)."""

    node: str
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a lost machine or container would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def active(self) -> list[dict]:
        """The tasks it is running now (each with the pid of the pool process running it)."""
        return (app.control.inspect(destination=[self.node], timeout=1).active() or {}).get(self.node, [])

    def output(self) -> str:
        """What it logged (a file, not a pipe: a pipe nobody reads fills up and stalls the worker)."""
        return self.log.read_text(errors="replace")


def spawn_worker(*, broker_url: str, queue: str, smtp_port: int, concurrency: int = 2) -> Worker:
    """Start a worker consuming `queue` on `broker_url`, emailing through `smtp_port`; wait until it
    answers a ping (this process's app must be pointed at the same broker)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smeqa.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SECRET_KEY": "worker-test-only",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost",
    }
    name = f"smeqa-test-{uuid.uuid4().hex[:8]}"
    node = f"{name}@localhost"
    log = Path(tempfile.gettempdir()) / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "smeqa", "worker", "-Q", queue, "-n", node,
             f"--concurrency={concurrency}", "--pool=prefork", "--without-gossip", "--without-mingle",
             "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill() takes the pool processes too
        )  # fmt: skip
    worker = Worker(node=node, process=process, log=log)
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[node], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            raise AssertionError(f"the worker did not start:\n{worker.output()}")
    return worker


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs to share the test database: run on PostgreSQL")


@dataclass
class Cluster:
    """A Redis of the test's own, this process queueing to it, and the workers started on it."""

    redis: RedisServer
    queue: str
    smtp_port: int
    workers: list[Worker] = field(default_factory=list)

    def start_worker(self) -> Worker:
        worker = spawn_worker(broker_url=self.redis.url, queue=self.queue, smtp_port=self.smtp_port)
        self.workers.append(worker)
        return worker

    def waiting(self) -> int:
        """Tasks in the queue not yet taken by a worker."""
        with app.connection_for_write() as conn:
            return conn.default_channel.client.llen(self.queue)


@pytest.fixture
def cluster(transactional_db, smtp_sink):
    require_postgresql()
    redis = RedisServer()
    if redis.binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    redis.start()
    _, smtp_port = smtp_sink
    # The default queue: the Redis is the test's own, and tasks the worker queues itself (the sweep's
    # batches) go there too.
    result = Cluster(redis=redis, queue=app.conf.task_default_queue, smtp_port=smtp_port)
    try:
        with use_broker(redis.url):
            yield result
            for worker in result.workers:
                worker.stop()
                print(f"--- {worker.node} ---\n{worker.output()[-20000:]}")  # shown when the test failed
                worker.log.unlink(missing_ok=True)
    finally:
        redis.stop()
