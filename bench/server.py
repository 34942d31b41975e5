"""What the HTTP benchmarks share: a gunicorn server on a free port, signing in through the login
form, timed GETs and the 95th percentile."""

import http.client
import os
import re
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-not-secret"  # noqa: S105 (throwaway databases)


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2) -> Iterator[int]:
    """gunicorn (`smeqa.wsgi`, sync workers) on a free localhost port, for the `with` block; yields
    the port once /healthz answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tempfile.NamedTemporaryFile(prefix="smeqa-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [str(ROOT / ".venv/bin/gunicorn"), "smeqa.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--error-logfile", log.name],
        env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until_up(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(log.name)


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def sign_in(port: int, email: str, password: str = PASSWORD) -> str:
    """Signs in through the login form; returns the Cookie header. With DEBUG=false the cookies are
    Secure, so a client would not send them back over plain http: they are copied by hand."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = _cookies(response)["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/accounts/login/",
        body=urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password, "next": ""}),
        headers={"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    session = _cookies(response).get("sessionid")
    if response.status != 302 or not session:
        raise RuntimeError(f"sign-in failed for {email}: {response.status}")
    return f"sessionid={session}; csrftoken={csrf}"


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def get(port: int, path: str, headers: dict[str, str]) -> float:
    """One GET on a new connection (gunicorn's sync workers close each one); milliseconds."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    connection.close()
    assert response.status == 200, (path, response.status)
    return elapsed


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]
