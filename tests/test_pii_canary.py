"""Canary personal data never reaches a log or a task message (issue 8; ASVS 5.0 16.2.5; research §B5).

An applicant with a distinctive name and email signs up and applies with a resume and a DD-214 that
carry an SSN and a date of birth; HR imports a USA Staffing row with an SSN pasted into a column, writes
both into a status-change reason and an adjudication note, and the application goes on to a certificate
whose PDF is drawn by its task. Notices are emailed on the way.

Every logger is opened to DEBUG and made to propagate for the duration, and caplog keeps each record.
Celery task messages are caught by Celery's own before_task_publish signal: the app publishes to an
in-memory broker (never the real one) instead of running tasks inline, and the test then runs each
published task in-process, as a worker would, so the tasks' own logs and messages are caught too.
Nothing of ours is patched.
"""

import contextlib
import json
import logging
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from celery.signals import before_task_publish
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from certificates import services as certificate_services
from certificates.models import Certificate
from hiring import services
from hiring.models import Application, Notice, Role
from hiring.tasks import notice_send
from hiring.workflow import Actor, Phase, Status
from smeqa.celery import app
from tests.factories import (
    ActionRoleFactory,
    AgencyRoleFactory,
    ApplicationFactory,
    HiringActionFactory,
    InterviewFactory,
    InterviewQuestionFactory,
    UserFactory,
)

SSN = "123-45-6789"
DOB = "03/07/1984"
DOB_ISO = "1984-03-07"
EMAIL = "zebulon.canary@example.test"
NAME = "Zebulon Quartermaine"
CANARIES = [SSN, SSN.replace("-", ""), DOB, DOB_ISO, EMAIL, NAME]
PASSWORD = "a long canary passphrase 42"

# What the standard LogRecord carries; anything else on a record was passed as `extra=` and is checked.
_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {"message", "asctime"}


def _document(title: str) -> bytes:
    """A PDF like the ones candidates upload, with the canaries in its text."""
    return HTML(
        string=f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
        <body><h1>{NAME}</h1><p>{EMAIL} · Date of birth {DOB} · SSN {SSN}</p>
        <p>{title}: IT Specialist (INFOSEC), GS-2210-12, 2019 to present.</p></body></html>"""
    ).write_pdf()


@contextlib.contextmanager
def every_log_at_debug(caplog):
    """Every logger set to DEBUG and propagating to caplog's handler for the duration."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)] + [logging.root]
    saved = [(logger, logger.level, logger.propagate, logger.disabled) for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
            logger.propagate = logger is not logging.root
            logger.disabled = False
        with caplog.at_level(logging.DEBUG):
            yield caplog
    finally:
        for logger, level, propagate, disabled in saved:
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = disabled


class Messages:
    """Every task message published while active: its task name, body (args, kwargs) and headers."""

    def __init__(self) -> None:
        self.published: list[dict] = []
        self._ran = 0
        self.results: list[tuple[str, object]] = []

    def record(self, sender=None, body=None, headers=None, **_):
        self.published.append({"task": sender, "body": body, "headers": headers or {}})

    def run_published(self) -> None:
        """Run each message not yet run, in-process as a worker would, until none is left."""
        while self._ran < len(self.published):
            message = self.published[self._ran]
            self._ran += 1
            args, kwargs = message["body"][0], message["body"][1]
            result = app.tasks[message["task"]].apply(args=args, kwargs=kwargs)
            self.results.append((message["task"], result.result))

    def texts(self) -> list[str]:
        return [json.dumps(message, default=str, sort_keys=True) for message in self.published]


@contextlib.contextmanager
def task_messages(monkeypatch):
    """Tasks are published (to an in-memory broker) instead of run inline, and every message is kept."""
    messages = Messages()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # Celery reads the broker from these variables before its settings; CI sets CELERY_BROKER_URL.
    for variable in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL", "CELERY_BROKER_READ_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setitem(app.conf, "broker_url", "memory://pii-canary/")
    monkeypatch.setitem(app.conf, "broker_write_url", None)
    assert app.conf.broker_write_url == "memory://pii-canary/", "never publish these to a real broker"
    # What Celery itself resets after a fork: the connection and producer pools, made again on use.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    before_task_publish.connect(messages.record, weak=False)
    try:
        yield messages
    finally:
        before_task_publish.disconnect(messages.record)
        app.control.purge()  # the in-memory queue: nothing else in this process should meet these
        if app._pool is not None:
            app._pool.force_close_all()


def _texts_of(records: list[logging.LogRecord]) -> list[str]:
    formatter = logging.Formatter()
    texts = []
    for record in records:
        parts = [record.name, record.getMessage()]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        if record.stack_info:
            parts.append(record.stack_info)
        parts += [f"{key}={value!r}" for key, value in vars(record).items() if key not in _STANDARD]
        texts.append(" ".join(parts))
    return texts


def _found(texts: list[str]) -> list[tuple[str, str]]:
    return [(canary, text[:300]) for text in texts for canary in CANARIES if canary in text]


@pytest.mark.django_db(transaction=True)
def test_canary_personal_data_reaches_no_log_and_no_task_message(client, caplog, monkeypatch):
    resume, dd214 = _document("Resume"), _document("DD-214")
    action = HiringActionFactory(title="IT Specialist (INFOSEC)", grades=[12], duty_locations=["Denver, CO"])
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    AgencyRoleFactory(agency=action.agency, user=hr)
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    InterviewQuestionFactory(action=action, round=2)

    with every_log_at_debug(caplog) as logs, task_messages(monkeypatch) as messages:
        # The applicant signs up and applies, claiming 5-point preference with a DD-214.
        client.post(
            reverse("hiring:signup"),
            {"full_name": NAME, "email": EMAIL, "password1": PASSWORD, "password2": PASSWORD},
        )
        submitted = client.post(
            reverse("hiring:apply", args=[action.announcement.pk]),
            {
                "citizenship": "on",
                "preference_claim": "TP",
                "sharing": "opt_in",
                "submit": "1",
                "resume": SimpleUploadedFile(f"{NAME} resume.pdf", resume, "application/pdf"),
                "dd214": SimpleUploadedFile(f"DD-214 {SSN}.pdf", dd214, "application/pdf"),
            },
        )
        assert submitted.status_code == 302, submitted.content[:2000]
        application = Application.objects.get(candidate__email=EMAIL)
        client.get(reverse("hiring:candidate_application_status", args=[application.pk]))
        messages.run_published()

        # HR imports a USA Staffing row with an SSN pasted into a column, then closes intake.
        client.force_login(hr)
        usas = (
            "Application Number,Applicant Last Name,Applicant First Name,Application ID\r\n"
            f"4401,Quartermaine,Zebulon,{SSN}\r\n"
        )
        imported = client.post(
            reverse("hiring:hr_import_usas", args=[action.pk]),
            {"file": SimpleUploadedFile("applicants.csv", usas.encode(), "text/csv")},
        )
        assert imported.status_code == 302, imported.content[:2000]
        services.hiring_action_advance_phase(action_id=action.pk, actor=hr, expected_phase=Phase.ANNOUNCEMENT)

        # A status change with the canaries in HR's reason, through HR's page.
        moved = client.post(
            reverse("hiring:hr_application_detail", args=[action.pk, application.pk]),
            {
                "to_status": Status.IN_RESUME_REVIEW,
                "expected_status": Status.RECEIVED,
                "reason": f"Called {NAME} ({EMAIL}) to confirm identity: DOB {DOB}, SSN {SSN}.",
            },
        )
        assert moved.status_code == 302, moved.content[:2000]
        messages.run_published()

        # On through resume review and interviews to the certificate.
        services.application_transition(
            application_id=application.pk, to_status=Status.MOVED_FORWARD, actor=None, actor_role=Actor.SYSTEM
        )
        services.hiring_action_advance_phase(
            action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
        )
        for status in (Status.IN_ROUND_1, Status.IN_ROUND_2, Status.QUALIFIED):
            services.application_transition(
                application_id=application.pk, to_status=status, actor=None, actor_role=Actor.SYSTEM
            )
        for round_ in (1, 2):
            InterviewFactory(application=application, sme=sme, round=round_, state="accepted", score=2)
        services.hiring_action_advance_phase(action_id=action.pk, actor=hr, expected_phase=Phase.ASSESSMENTS)
        certificate_services.adjudicate(
            application_id=application.pk, hr=hr, preference="TP", documents=["dd214"],
            note=f"DD-214 seen: {NAME}, born {DOB_ISO}, SSN {SSN}.",
        )  # fmt: skip
        certificate = certificate_services.certificate_issue(
            action_id=action.pk, hr=hr, grade=12, duty_location="Denver, CO",
            return_by=timezone.localdate() + timedelta(days=30),
        )  # fmt: skip
        messages.run_published()

    # The flow really happened: emails went out, the PDF was drawn by its task, tasks were published.
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.Pdf.READY
    assert certificate.entries.filter(name=NAME).exists()
    application.refresh_from_db()
    assert application.status == Status.REFERRED
    assert len([m for m in mail.outbox if EMAIL in m.to]) >= 3  # receipt, resume review, referred
    tasks = {message["task"] for message in messages.published}
    assert {"hiring.tasks.notice_send", "certificates.tasks.certificate_pdf_render"} <= tasks
    assert logs.records, "nothing was logged at all: the capture is not working"

    assert _found(_texts_of(logs.records)) == []
    assert _found(messages.texts()) == []


def test_the_checks_would_see_a_canary(caplog):
    """The control: a record or a message carrying a canary is found, however it carries it."""
    with every_log_at_debug(caplog) as logs:
        logging.getLogger("celery.app.trace").debug("quiet logger: %s", EMAIL)
        logging.getLogger("django.db.backends").debug("sql", extra={"params": (SSN,)})
        try:
            raise ValueError(f"born {DOB}")
        except ValueError:
            logging.getLogger("hiring.services").exception("failed")

    assert {canary for canary, _ in _found(_texts_of(logs.records))} == {EMAIL, SSN, DOB}
    assert _found([json.dumps({"body": [[NAME], {}]})]) == [(NAME, json.dumps({"body": [[NAME], {}]}))]


class RefusingMailServer:
    """An SMTP server that refuses every recipient, as a mail system does for a closed mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox closed"


@pytest.mark.django_db
def test_a_refused_recipient_is_not_named_in_the_log(caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(RefusingMailServer(), hostname="127.0.0.1", port=port)
    server.start()
    application = ApplicationFactory(candidate=UserFactory(email=EMAIL, full_name=NAME))
    notice = application.notices.get()
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port},
    }
    try:
        with override_settings(MAILERS={"default": mailer}), every_log_at_debug(caplog) as logs:
            assert notice_send.apply(args=[notice.pk]).result is False
    finally:
        server.stop()

    notice.refresh_from_db()
    assert notice.delivery == Notice.Delivery.FAILED
    ours = [record for record in logs.records if not record.name.startswith("mail.")]  # the stand-in server
    assert any("not delivered" in text for text in _texts_of(ours))
    assert _found(_texts_of(ours)) == []
