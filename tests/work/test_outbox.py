"""The outbox: e-mails and webhook posts are sent by a job, retried with backoff when the server
refuses, is down or does not answer, never lost, never sent twice by two workers."""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocMemBackend
from django.utils import timezone

from mediadesk.audit.models import AuditEvent
from mediadesk.errors import Conflict
from mediadesk.work import outbox
from mediadesk.work.choices import OutboxKind, OutboxStatus
from mediadesk.work.models import OutboxMessage
from vendors.agencies import make_other_agency
from work.webhook_server import (
    Channel,
    channel_fixture,  # noqa: F401 - the fixture `channel`
)

NOW = timezone.make_aware(datetime(2026, 11, 30, 10, 0))


class RefusingBackend(BaseEmailBackend):
    """A mail server that answers but will not take the message."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPDataError(554, b"5.7.1 Message rejected: relay denied")


class DownBackend(BaseEmailBackend):
    """A mail server that is not there."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


class CountingBackend(LocMemBackend):
    """The locmem backend, counting every message handed to it (also across 'crashes')."""

    handed: int = 0

    def send_messages(self, email_messages: Any) -> int:
        CountingBackend.handed += len(email_messages)
        return super().send_messages(email_messages)


def backend(name: str) -> str:
    return f"{__name__}.{name}"


def email(key: str = "hello", **fields: Any) -> OutboxMessage:
    message = outbox.queue_email(
        key,
        to=fields.pop("to", ["Ben@Demo.test", " ben@demo.test "]),
        subject=fields.pop("subject", "Hello"),
        body=fields.pop("body", "Plain text"),
        **fields,
    )
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=NOW)
    message.refresh_from_db()
    return message


def webhook(url: str, key: str = "post", kind: OutboxKind = OutboxKind.SLACK) -> OutboxMessage:
    message = outbox.queue_webhook(
        key, kind=kind, url=url, payload={"text": "New critical item"}, summary="A post"
    )
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=NOW)
    message.refresh_from_db()
    return message


def test_queueing_is_idempotent_and_sending_marks_it_sent(
    db: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    path = default_storage.save("reports/status.pdf", ContentFile(b"%PDF-1.4 report"))
    first = email(
        "report:1",
        html="<p>Hello</p>",
        attachments=[{"name": "status.pdf", "mimetype": "application/pdf", "path": path}],
    )
    again = outbox.queue_email("report:1", to=["x@y.test"], subject="Other", body="Other")
    assert again.pk == first.pk and OutboxMessage.objects.count() == 1
    assert first.to == ["ben@demo.test"]

    assert outbox.deliver_due(NOW) == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ben@demo.test"] and sent.subject == "Hello"
    assert sent.alternatives[0][0] == "<p>Hello</p>"  # type: ignore[attr-defined]
    assert sent.attachments[0][0] == "status.pdf"
    assert sent.attachments[0][1] == b"%PDF-1.4 report"
    first.refresh_from_db()
    assert first.status == OutboxStatus.SENT and first.attempts == 1 and first.sent_at
    assert outbox.deliver_due(NOW + timedelta(hours=1)) == 0  # nothing twice
    assert len(mail.outbox) == 1


def test_not_yet_due_messages_wait(db: Any) -> None:
    message = email()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=NOW + timedelta(minutes=5))
    assert outbox.deliver_due(NOW) == 0
    assert outbox.deliver_due(NOW + timedelta(minutes=5)) == 1


def test_a_refusing_mail_server_is_retried_with_backoff_and_nothing_is_lost(
    db: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = backend("RefusingBackend")
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = email()

    outcome = outbox.deliver(NOW)
    assert (outcome.sent, outcome.failed, outcome.gave_up) == (0, 1, 0)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.last_error.startswith("The mail server refused: 554 5.7.1 Message rejected")
    assert message.next_attempt_at == NOW + timedelta(minutes=1)

    assert outbox.deliver(NOW + timedelta(seconds=30)).failed == 0  # not due yet
    later = NOW + timedelta(minutes=1)
    assert outbox.deliver(later).failed == 1
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at == later + timedelta(minutes=5)

    assert outbox.deliver(later + timedelta(minutes=5)).gave_up == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert "refused" in message.last_error
    assert outbox.deliver(later + timedelta(days=2)).failed == 0  # given up: not tried again
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(pk=message.pk).exists()  # kept, shown in the outbox


def test_a_mail_server_that_is_down_is_retried(db: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = backend("DownBackend")
    message = email()
    outbox.deliver_due(NOW)
    message.refresh_from_db()
    assert message.last_error == "Could not reach the mail server: Connection refused."
    assert message.status == OutboxStatus.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # it is back
    assert outbox.deliver_due(NOW + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.last_error == ""
    assert len(mail.outbox) == 1


def test_the_backoff_grows_and_stops_growing() -> None:
    waits = [outbox.backoff(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 5, 15, 60)]
    assert waits == sorted(waits) and waits[-1] == waits[-2]


def test_a_webhook_that_answers_500_is_retried(db: Any, channel: Channel) -> None:
    message = webhook(channel.url("/fail"))
    outbox.deliver_due(NOW)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.last_error == "Slack answered 500: internal_error."
    assert channel.received == [("/fail", {"text": "New critical item"})]

    teams = webhook(channel.url("/fail"), key="teams", kind=OutboxKind.TEAMS)
    outbox.deliver_due(NOW)
    teams.refresh_from_db()
    assert teams.last_error.startswith("Microsoft Teams answered 500")


def test_a_webhook_that_does_not_answer_in_time_is_retried(
    db: Any,
    channel: Channel,
    settings: Any,
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    message = webhook(channel.url("/slow"))
    outbox.deliver_due(NOW)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.last_error == "No answer from 127.0.0.1 within 0.2 s."
    assert message.next_attempt_at == NOW + timedelta(minutes=1)


def test_a_webhook_post_is_sent_as_json(db: Any, channel: Channel) -> None:
    message = webhook(channel.url("/ok"))
    assert outbox.deliver_due(NOW) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert channel.received == [("/ok", {"text": "New critical item"})]


def test_only_http_webhooks_are_posted(db: Any, tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    message = webhook(f"file://{secret}")
    assert outbox.deliver_due(NOW) == 0
    message.refresh_from_db()
    assert message.last_error == "The Slack webhook address is not an http(s) address."


def test_two_workers_never_claim_the_same_message(db: Any) -> None:
    email("a")
    email("b")
    first = outbox._claim(NOW, 100)
    second = outbox._claim(NOW, 100)  # another worker, at the same moment
    assert len(first) == 2 and second == []
    # A stale view of the row (the attempts it saw) loses the conditional update.
    row = first[0]
    won = OutboxMessage.objects.filter(
        pk=row.pk, status=OutboxStatus.PENDING, attempts=row.attempts - 1
    ).update(attempts=99)
    assert won == 0


def test_a_worker_killed_before_marking_sends_again_only_after_the_lease(
    db: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = backend("CountingBackend")
    CountingBackend.handed = 0
    message = email()
    claimed = outbox._claim(NOW, 100)  # the worker claims it ... and is killed before sending
    assert [m.pk for m in claimed] == [message.pk]
    assert outbox.deliver_due(NOW + timedelta(minutes=1)) == 0  # another run: still claimed
    lease_over = NOW + outbox.claim_lease()
    assert outbox.deliver_due(lease_over) == 1
    assert outbox.deliver_due(lease_over + timedelta(hours=1)) == 0
    assert CountingBackend.handed == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2


def test_a_worker_killed_after_marking_sends_nothing_again(db: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = backend("CountingBackend")
    CountingBackend.handed = 0
    email()
    assert outbox.deliver_due(NOW) == 1
    # The job "runs again" after a crash that came right after marking: nothing is due.
    assert outbox.deliver_due(NOW) == 0
    assert outbox.deliver_due(NOW + timedelta(days=1)) == 0
    assert CountingBackend.handed == 1


def test_an_unexpected_error_is_written_on_the_row(db: Any, monkeypatch: Any) -> None:
    message = email()

    def broken(*args: Any) -> None:
        raise ValueError("bad payload")

    monkeypatch.setattr(outbox, "_send_email", broken)
    outbox.deliver_due(NOW)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.last_error == "Unexpected error while sending: ValueError: bad payload"


def test_admins_send_a_failed_message_again(
    demo: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = backend("RefusingBackend")
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = email(client_id=demo.northwind.pk)
    outbox.deliver_due(NOW)
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED

    with pytest.raises(Exception, match="Only organization admins"):
        outbox.retry(demo.ben, message)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.retry(demo.alice, message)  # the delivery job is queued (and run, in tests)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 1
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(OutboxMessage), object_id=str(message.pk)
    )
    assert event.actor == demo.alice and event.changes["status"] == ["failed", "pending"]
    assert "refused" in event.reason
    with pytest.raises(Conflict, match="sent already"):
        outbox.retry(demo.alice, message)
    waiting = email("waiting", client_id=demo.northwind.pk)  # pending: tried on its own
    with pytest.raises(Conflict, match="still being tried"):
        outbox.retry(demo.alice, waiting)


def test_who_sees_which_messages(demo: Any) -> None:
    nwnd = email(
        "nwnd", client_id=demo.northwind.pk, organization_id=demo.northwind.organization_id
    )
    fbrk = email("fbrk", client_id=demo.fabrikam.pk, organization_id=demo.fabrikam.organization_id)
    digest = email("digest", organization_id=demo.alice.organization_id)
    other = make_other_agency()
    foreign = email("other", client_id=other.client.pk, organization_id=other.organization.pk)
    foreign_digest = email("other-digest", organization_id=other.organization.pk)

    def seen(user: Any) -> set[int]:
        return set(outbox.visible_messages(user).values_list("pk", flat=True))

    assert seen(demo.alice) == {nwnd.pk, fbrk.pk, digest.pk}
    assert seen(demo.ben) == {nwnd.pk}  # NWND and CTSO only; a person's digest is not his
    assert seen(demo.cara) == {nwnd.pk, fbrk.pk}
    assert seen(demo.dan) == set()  # a client reviewer sees no outbox
    assert seen(other.admin) == {foreign.pk, foreign_digest.pk}
    assert not outbox.may_retry(other.admin, nwnd)
    assert outbox.may_retry(demo.alice, nwnd) and not outbox.may_retry(demo.ben, nwnd)
