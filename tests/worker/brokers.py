"""Brokers for the tests: point this process's Celery app at another Redis, and a Redis of our own
that a test may stop and start (never the machine's Redis on 6379, which others use)."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.test import override_settings

from smeqa.celery import app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def use_broker(url: str, *, queue: str | None = None) -> Iterator[None]:
    """Queue this process's tasks to `url` (not run in-process), and report it on /healthz.

    Celery reads CELERY_BROKER_URL from the environment before its settings, so the write and read
    URLs are set instead; the app's connection pools are dropped so none of its connections to the old broker is reused.
    """
    conf = app.conf
    saved = {
        "broker_write_url": conf.get("broker_write_url"),
        "broker_read_url": conf.get("broker_read_url"),
        "task_always_eager": conf.task_always_eager,
        "task_default_queue": conf.task_default_queue,
    }
    _empty_pools()
    conf.update(broker_write_url=url, broker_read_url=url, task_always_eager=False)
    if queue:
        conf.task_default_queue = queue
    try:
        with override_settings(BROKER_URL=url):
            yield
    finally:
        _empty_pools()
        conf.update(saved)


def _empty_pools() -> None:
    # Dropped, not closed: kombu shares a pool between apps with the same URL.
    app._pool = None
    app.amqp._producer_pool = None


class RedisServer:
    """A throwaway redis-server on a free port, no persistence: stop() and start() are an outage."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.binary, "redis-server is not installed"
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False
