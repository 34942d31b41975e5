"""The backup and restore in docs/operations.md, tried once: pg_dump -Fc of a database holding
applications and an uploaded resume, pg_restore into a new database, MEDIA_ROOT copied with tar;
the rows and the file come back. PostgreSQL only; the throwaway database is dropped afterwards."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from hiring.models import ApplicationDocument, AuditEvent, Notice
from tests.factories import ApplicationDocumentFactory, ApplicationFactory, HiringActionFactory

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump, another process, must see the rows


def test_a_backup_restores_the_applications_and_the_uploaded_resume(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore back up PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed (apt-get install postgresql-client)")
    action = HiringActionFactory()
    applications = [ApplicationFactory(action=action) for _ in range(3)]
    resume = ApplicationDocumentFactory(application=applications[0], action=action)
    original = Path(resume.file.path).read_bytes()
    expected = {
        "applications": sorted((a.pk, a.applicant_name, a.status) for a in applications),
        "events": AuditEvent.objects.filter(action=action).count(),
        "notices": Notice.objects.filter(application__action=action).count(),
    }

    db = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"] or "postgres",
        "PGPASSWORD": db["PASSWORD"] or "",
    }
    dump, media = tmp_path / "smeqa.dump", tmp_path / "media.tar.gz"
    # The backup, as docs/operations.md gives it.
    subprocess.run(["pg_dump", "--format=custom", "--file", dump, db["NAME"]], env=env, check=True)
    subprocess.run(["tar", "-C", settings.MEDIA_ROOT, "-czf", media, "."], check=True)

    # The restore: a new, empty database and media folder.
    restored, restored_media = f"smeqa_restore_{uuid.uuid4().hex[:10]}", tmp_path / "restored-media"
    admin = psycopg.connect(dbname="postgres", autocommit=True, **_params(db))
    try:
        admin.execute(f"CREATE DATABASE \"{restored}\" TEMPLATE template0 ENCODING 'UTF8'")
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, dump], env=env, check=True
        )
        restored_media.mkdir()
        subprocess.run(["tar", "-C", restored_media, "-xzf", media], check=True)

        with psycopg.connect(dbname=restored, **_params(db)) as copy:
            rows = copy.execute(
                "SELECT id, applicant_name, status FROM hiring_application WHERE action_id = %s ORDER BY id",
                [action.pk],
            ).fetchall()
            events = copy.execute("SELECT count(*) FROM hiring_auditevent WHERE action_id = %s", [action.pk])
            notices = copy.execute(
                "SELECT count(*) FROM hiring_notice n JOIN hiring_application a ON a.id = n.application_id "
                "WHERE a.action_id = %s",
                [action.pk],
            )
            restored_counts = {"events": events.fetchone()[0], "notices": notices.fetchone()[0]}
            (name,) = copy.execute(
                f"SELECT file FROM {ApplicationDocument._meta.db_table} WHERE id = %s",  # noqa: S608 (the model's own table name)
                [resume.pk],
            ).fetchone()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        admin.close()

    assert sorted(rows) == expected["applications"]
    assert restored_counts == {"events": expected["events"], "notices": expected["notices"]}
    assert name == resume.file.name
    assert (restored_media / name).read_bytes() == original
    assert original.startswith(b"%PDF-")


def _params(db: dict) -> dict:
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or None,
    }
