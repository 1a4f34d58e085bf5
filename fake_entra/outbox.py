"""The notification outbox: every email Fake Entra would send, captured for tests and reports.

S4 (application-provisioning-quarantine-status): "When an application is placed in
quarantine, a one-time notification email is sent. If the quarantine reason changes, an
updated email is sent showing the new reason", from ``azure-noreply@microsoft.com`` to the
Notification Email; S6: the same when the accidental-deletion threshold is met. Deciding
*when* to send (the "Send an email notification when a failure occurs" checkbox, one email
per reason) is the engine's job: the job's status says when a quarantine is new or its
reason changed.

Microsoft does not publish the email's text. :func:`quarantine_email` builds it from the
documented sentences only: the status-page message (S6), the reason and recommended action
from the error catalogue (S4's table), and S4's description of what quarantine does.

Delivery over SMTP is optional (:class:`SmtpDelivery`); a failed delivery is recorded and
never loses the captured email nor interrupts the caller.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType
from typing import Protocol

from fake_entra.error_codes import CATALOGUE, ErrorInfo, ErrorKind
from fake_entra.status import QUARANTINE_MESSAGE

#: S4: "Check for emails from azure-noreply@microsoft.com".
AZURE_NOREPLY = "azure-noreply@microsoft.com"


@dataclass(frozen=True, slots=True, kw_only=True)
class Email:
    to: tuple[str, ...]
    sender: str = AZURE_NOREPLY
    subject: str
    body: str
    sent_at: datetime
    reason: str
    job_id: str | None = None

    def to_message(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message["Subject"] = self.subject
        message["Date"] = format_datetime(self.sent_at)
        message.set_content(self.body)
        return message


class Delivery(Protocol):
    def deliver(self, email: Email) -> None: ...


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    email: Email
    error: str


class SmtpClient(Protocol):
    """The part of :class:`smtplib.SMTP` delivery uses."""

    def __enter__(self) -> SmtpClient: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> object: ...

    def send_message(self, msg: EmailMessage) -> object: ...


class SmtpDelivery:
    """Hand each email to an SMTP server. ``smtp_factory`` defaults to :class:`smtplib.SMTP`;
    tests inject a fake with the same ``(host, port, timeout=)`` call and context manager."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        timeout: float = 10.0,
        smtp_factory: Callable[..., SmtpClient] = smtplib.SMTP,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._factory = smtp_factory

    def deliver(self, email: Email) -> None:
        with self._factory(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(email.to_message())


EmailListener = Callable[[Email], None]


class Outbox:
    """Captured notification emails, in the order they were sent."""

    def __init__(self, *, now: Callable[[], datetime], delivery: Delivery | None = None) -> None:
        self._now = now
        self.delivery = delivery
        self._emails: list[Email] = []
        self._listeners: list[EmailListener] = []
        self.delivery_failures: list[DeliveryFailure] = []

    def send(
        self,
        *,
        to: str | Sequence[str],
        subject: str,
        body: str,
        reason: str,
        job_id: str | None = None,
        sender: str = AZURE_NOREPLY,
    ) -> Email:
        recipients = (to,) if isinstance(to, str) else tuple(to)
        if not recipients or not all(address.strip() for address in recipients):
            raise ValueError("an email needs at least one recipient")
        email = Email(
            to=recipients,
            sender=sender,
            subject=subject,
            body=body,
            sent_at=self._now(),
            reason=reason,
            job_id=job_id,
        )
        # Captured first: a delivery failure must not lose the notification.
        self._emails.append(email)
        if self.delivery is not None:
            try:
                self.delivery.deliver(email)
            except (OSError, smtplib.SMTPException) as error:
                self.delivery_failures.append(
                    DeliveryFailure(email, f"{type(error).__name__}: {error}")
                )
        for listener in tuple(self._listeners):
            listener(email)
        return email

    def send_quarantine_notification(
        self,
        *,
        to: str | Sequence[str],
        application: str,
        job_id: str,
        reason: str,
        error: ErrorInfo | None = None,
        next_attempt: datetime | None = None,
    ) -> Email:
        subject, body = quarantine_email(
            application=application,
            job_id=job_id,
            reason=reason,
            error=error,
            next_attempt=next_attempt,
        )
        return self.send(
            to=to, subject=subject, body=body, reason=CATALOGUE[reason].code, job_id=job_id
        )

    def subscribe(self, listener: EmailListener) -> Callable[[], None]:
        """Call ``listener`` with every email sent; returns the function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emails(self) -> list[Email]:
        return list(self._emails)

    def filter(
        self,
        *,
        to: str | None = None,
        reason: str | None = None,
        job_id: str | None = None,
        since: datetime | None = None,
    ) -> list[Email]:
        """Emails matching every given criterion; addresses and reasons case-insensitively."""
        address = None if to is None else to.lower()
        wanted_reason = None if reason is None else reason.lower()
        return [
            email
            for email in self._emails
            if (address is None or address in (recipient.lower() for recipient in email.to))
            and (wanted_reason is None or email.reason.lower() == wanted_reason)
            and (job_id is None or email.job_id == job_id)
            and (since is None or email.sent_at >= since)
        ]

    def __len__(self) -> int:
        return len(self._emails)

    def __iter__(self) -> Iterator[Email]:
        return iter(tuple(self._emails))


def quarantine_email(
    *,
    application: str,
    job_id: str,
    reason: str,
    error: ErrorInfo | None = None,
    next_attempt: datetime | None = None,
) -> tuple[str, str]:
    """Subject and body of the quarantine notification, from documented wording only."""
    definition = CATALOGUE.require(reason, ErrorKind.QUARANTINE)
    subject = f"Provisioning for {application} has been quarantined"
    lines = [
        f"{QUARANTINE_MESSAGE}.",
        "",
        f"Application: {application}",
        f"Job ID: {job_id}",
        f"Quarantine reason: {definition.code}",
        definition.reason,
    ]
    if error is not None:
        lines += ["", f"Error: {error.error_code}", error.reason]
        if error.additional_details:
            lines.append(error.additional_details)
    lines += ["", "Recommended action:", definition.recommended_action]
    if error is not None and error.recommended_action:
        lines.append(error.recommended_action)
    if next_attempt is not None:
        lines += ["", f"Next attempt: {format_datetime(next_attempt)}"]
    lines += [
        "",
        # S4 "While in quarantine".
        "While in quarantine:",
        "- The frequency of incremental cycles is gradually reduced to once per day.",
        "- The provisioning job is removed from quarantine after all errors are fixed and the "
        "next sync cycle starts.",
        "- If the provisioning job stays in quarantine for more than four weeks, the "
        "provisioning job is disabled (stops running).",
    ]
    return subject, "\n".join(lines)
