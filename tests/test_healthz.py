import socket

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    if settings.BROKER_URL:
        assert body["broker"] == "ok"
    else:
        assert body["broker"] == "not configured (tasks run in-process)"


def test_healthz_names_the_broker_when_it_is_down_and_keeps_web_in_service(client):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with override_settings(BROKER_URL=f"redis://127.0.0.1:{port}/0"):
        response = client.get("/healthz")
    # Pages still work without Redis (tests/test_outages.py), so web stays in service: degraded, 200.
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "unavailable"}
