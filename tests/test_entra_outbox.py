"""The notification outbox: captured emails, quarantine wording, optional SMTP delivery."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from types import TracebackType
from typing import Any, ClassVar

import pytest

from fake_entra.clock import EPOCH, VirtualClock
from fake_entra.error_codes import lookup
from fake_entra.http_errors import classify_http_failure
from fake_entra.outbox import AZURE_NOREPLY, Email, Outbox, SmtpDelivery, quarantine_email
from fake_entra.status import QUARANTINE_MESSAGE


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def outbox(clock: VirtualClock) -> Outbox:
    return Outbox(now=clock.now)


class FakeSmtp:
    """Stands in for smtplib.SMTP: records the connection and every message sent."""

    instances: ClassVar[list[FakeSmtp]] = []

    def __init__(self, host: str, port: int, *, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sent: list[EmailMessage] = []
        self.closed = False
        FakeSmtp.instances.append(self)

    def __enter__(self) -> FakeSmtp:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.closed = True

    def send_message(self, message: EmailMessage) -> dict[str, Any]:
        self.sent.append(message)
        return {}


def test_send_captures_the_email_with_the_clock_time(outbox: Outbox, clock: VirtualClock) -> None:
    clock.advance(minutes=3)
    email = outbox.send(
        to="admin@contoso.com", subject="Hello", body="Body", reason="Test", job_id="j1"
    )
    assert email == Email(
        to=("admin@contoso.com",),
        sender=AZURE_NOREPLY,
        subject="Hello",
        body="Body",
        sent_at=EPOCH + timedelta(minutes=3),
        reason="Test",
        job_id="j1",
    )
    assert email.sender == "azure-noreply@microsoft.com"
    assert outbox.emails() == [email]
    assert list(outbox) == [email]
    assert len(outbox) == 1


def test_an_email_needs_a_recipient(outbox: Outbox) -> None:
    for to in ("", [], ["a@b.c", " "]):
        with pytest.raises(ValueError, match="recipient"):
            outbox.send(to=to, subject="s", body="b", reason="r")
    assert len(outbox) == 0


def test_filter_by_recipient_reason_job_and_time(outbox: Outbox, clock: VirtualClock) -> None:
    first = outbox.send(
        to="Admin@Contoso.com", subject="s", body="b", reason="TooManyDeletes", job_id="j1"
    )
    clock.advance(hours=1)
    second = outbox.send(
        to=["ops@contoso.com", "admin@contoso.com"],
        subject="s",
        body="b",
        reason="EncounteredQuarantineException",
        job_id="j1",
    )
    other = outbox.send(
        to="x@fabrikam.com", subject="s", body="b", reason="TooManyDeletes", job_id="j2"
    )
    assert outbox.filter(to="admin@contoso.com") == [first, second]
    assert outbox.filter(reason="toomanydeletes") == [first, other]
    assert outbox.filter(job_id="j2") == [other]
    assert outbox.filter(since=EPOCH + timedelta(minutes=30)) == [second, other]
    assert outbox.filter(to="admin@contoso.com", reason="TooManyDeletes", job_id="j1") == [first]


def test_subscribers_hear_each_email(outbox: Outbox) -> None:
    heard: list[str] = []
    unsubscribe = outbox.subscribe(lambda email: heard.append(email.subject))
    outbox.send(to="a@contoso.com", subject="one", body="b", reason="r")
    unsubscribe()
    outbox.send(to="a@contoso.com", subject="two", body="b", reason="r")
    assert heard == ["one"]


def test_quarantine_notification_uses_documented_wording(outbox: Outbox) -> None:
    error = classify_http_failure(401, target="LinkedIn Elevate")
    email = outbox.send_quarantine_notification(
        to="admin@contoso.com",
        application="LinkedIn Elevate",
        job_id="scim.0123",
        reason="encounteredquarantineexception",
        error=error,
        next_attempt=EPOCH + timedelta(hours=6),
    )
    definition = lookup("EncounteredQuarantineException")
    assert email.reason == "EncounteredQuarantineException"
    assert email.job_id == "scim.0123"
    assert email.subject == "Provisioning for LinkedIn Elevate has been quarantined"
    lines = email.body.splitlines()
    assert lines[0] == f"{QUARANTINE_MESSAGE}."
    assert "Job ID: scim.0123" in lines
    assert "Quarantine reason: EncounteredQuarantineException" in lines
    assert definition.reason in lines
    assert definition.recommended_action in lines
    assert "Error: Unauthorized" in lines
    assert error.reason in email.body
    assert "Next attempt: Mon, 05 Jan 2026 15:00:00 +0000" in lines
    assert (
        "- If the provisioning job stays in quarantine for more than four weeks, the "
        "provisioning job is disabled (stops running)." in lines
    )
    assert outbox.filter(reason="EncounteredQuarantineException", job_id="scim.0123") == [email]


def test_quarantine_email_needs_a_quarantine_reason() -> None:
    with pytest.raises(ValueError, match="not a quarantine reason"):
        quarantine_email(application="A", job_id="j", reason="Timeout")
    subject, body = quarantine_email(application="A", job_id="j", reason="TooManyDeletes")
    assert "Error:" not in body
    assert lookup("TooManyDeletes").recommended_action in body.splitlines()
    assert subject == "Provisioning for A has been quarantined"


def test_smtp_delivery_through_an_injected_factory(clock: VirtualClock) -> None:
    FakeSmtp.instances.clear()
    outbox = Outbox(
        now=clock.now, delivery=SmtpDelivery("mail.local", 2525, timeout=3, smtp_factory=FakeSmtp)
    )
    email = outbox.send(
        to=["admin@contoso.com", "ops@contoso.com"],
        subject="Subject",
        body="Line 1\nLine 2",
        reason="r",
    )
    (smtp,) = FakeSmtp.instances
    assert (smtp.host, smtp.port, smtp.timeout, smtp.closed) == ("mail.local", 2525, 3, True)
    (message,) = smtp.sent
    assert message["From"] == AZURE_NOREPLY
    assert message["To"] == "admin@contoso.com, ops@contoso.com"
    assert message["Subject"] == "Subject"
    assert message["Date"] == "Mon, 05 Jan 2026 09:00:00 +0000"
    assert message.get_content() == "Line 1\nLine 2\n"
    assert outbox.delivery_failures == []
    assert outbox.emails() == [email]


def test_a_failed_delivery_keeps_the_email_and_records_the_failure(clock: VirtualClock) -> None:
    def refusing(host: str, port: int, *, timeout: float) -> FakeSmtp:
        raise ConnectionRefusedError(111, "Connection refused")

    heard: list[Email] = []
    outbox = Outbox(now=clock.now, delivery=SmtpDelivery("mail.local", smtp_factory=refusing))
    outbox.subscribe(heard.append)
    email = outbox.send(to="admin@contoso.com", subject="s", body="b", reason="r")
    assert outbox.emails() == [email]
    assert heard == [email]
    (failure,) = outbox.delivery_failures
    assert failure.email == email
    assert failure.error.startswith("ConnectionRefusedError")


def test_smtp_protocol_errors_are_recorded_too(clock: VirtualClock) -> None:
    class Rejecting(FakeSmtp):
        def send_message(self, message: EmailMessage) -> dict[str, Any]:
            raise smtplib.SMTPRecipientsRefused({"admin@contoso.com": (550, b"No such user")})

    outbox = Outbox(now=clock.now, delivery=SmtpDelivery("mail.local", smtp_factory=Rejecting))
    outbox.send(to="admin@contoso.com", subject="s", body="b", reason="r")
    assert [f.error.split(":")[0] for f in outbox.delivery_failures] == ["SMTPRecipientsRefused"]
