"""The outbox: every e-mail and webhook post of the work area is written here first, in the
transaction of the change that causes it, and sent later by ``deliver_due`` (a job) with
retries and backoff. A ``dedupe_key`` makes queueing idempotent: a retried job or a second
worker queues nothing twice.

Sending, step by step (``deliver_due``):

1. *Claim.* The due rows are picked (``select_for_update(skip_locked=True)`` on PostgreSQL, so
   two workers skip each other's rows) and each is claimed with a conditional UPDATE that only
   succeeds for the worker that saw its current ``attempts``: it counts the attempt and moves
   ``next_attempt_at`` a lease ahead (``OUTBOX_CLAIM_MINUTES``). On SQLite the UPDATE alone
   makes the claim safe (transactions there are IMMEDIATE: one writer at a time).
2. *Send*, outside any transaction: the mail server or the webhook is never waited for while
   holding a lock.
3. *Mark* it sent right after the send returns, in one UPDATE — or, on failure, write the
   reason as a sentence and the next attempt after a backoff (1, 5, 15 min, 1 h, 3 h, 6 h,
   12 h …); after ``OUTBOX_MAX_ATTEMPTS`` it is marked failed ("gave up"), kept and shown in
   the outbox page, where an admin can send it again.

At-least-once, not exactly-once: a worker killed between 2 and 3 leaves the row claimed but not
marked; when the lease runs out another run sends it again. That window is the time of one
UPDATE after the server accepted the message — neither SMTP nor an incoming webhook lets us do
better (there is no way to ask the server "did you get this one?"). Everything else — a job
retried, two workers, a crash before the send — never sends a message twice.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mediadesk.accounts.models import Client, visible_client_ids
from mediadesk.accounts.permissions import Action, can, is_org_admin, roles_by_client
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import record
from mediadesk.errors import Conflict
from mediadesk.work.choices import OutboxKind, OutboxStatus
from mediadesk.work.models import OutboxMessage

logger = logging.getLogger(__name__)

# Minutes to wait after the n-th failed attempt (the last figure repeats).
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
KIND_NAMES = {OutboxKind.SLACK: "Slack", OutboxKind.TEAMS: "Microsoft Teams"}


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8))


def webhook_timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def claim_lease() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "OUTBOX_CLAIM_MINUTES", 10)))


def backoff(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


# --- queueing -------------------------------------------------------------------------------------


def _queue(dedupe_key: str, **fields: Any) -> OutboxMessage:
    existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(dedupe_key=dedupe_key, **fields)
    except IntegrityError:  # queued by someone else in the meantime
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)


def queue_email(
    dedupe_key: str,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: Sequence[dict[str, str]] = (),
    client_id: int | None = None,
    organization_id: int | None = None,
) -> OutboxMessage:
    """An e-mail to send. ``attachments`` name files in default storage:
    ``{"name": "status.pdf", "mimetype": "application/pdf", "path": "<storage name>"}``."""
    return _queue(
        dedupe_key,
        kind=OutboxKind.EMAIL,
        to=sorted({address.strip().lower() for address in to if address.strip()}),
        subject=subject[:300],
        body=body,
        html=html,
        attachments=list(attachments),
        client_id=client_id,
        organization_id=organization_id,
    )


def queue_webhook(
    dedupe_key: str,
    *,
    kind: OutboxKind,
    url: str,
    payload: dict[str, Any],
    summary: str,
    client_id: int | None = None,
    organization_id: int | None = None,
) -> OutboxMessage:
    """A post to a Slack or Microsoft Teams incoming webhook."""
    return _queue(
        dedupe_key,
        kind=kind,
        to=[url],
        subject=summary[:300],
        payload=payload,
        client_id=client_id,
        organization_id=organization_id,
    )


# --- sending ----------------------------------------------------------------------------------


class SendError(Exception):
    """A message could not be sent; ``str()`` is the sentence shown in the outbox."""


@dataclass
class Delivery:
    """What one run of ``deliver_due`` did."""

    sent: int = 0
    failed: int = 0  # will be tried again
    gave_up: int = 0


def deliver_due(now: datetime | None = None, limit: int = 100) -> int:
    """Send the pending messages that are due; returns how many were sent."""
    return deliver(now, limit).sent


def deliver(now: datetime | None = None, limit: int = 100) -> Delivery:
    now = now or timezone.now()
    outcome = Delivery()
    claimed = _claim(now, limit)
    if not claimed:
        return outcome
    mail: Any = None
    try:
        for message in claimed:
            if message.kind == OutboxKind.EMAIL and mail is None:
                mail = get_connection()
            try:
                _send(message, mail)
            except Exception as error:  # each failure is written on its row
                if message.kind == OutboxKind.EMAIL and mail is not None:
                    _close_quietly(mail)  # a broken connection is opened afresh next time
                    mail = None
                gave_up = _mark_failed(message, _reason(error), now)
                outcome.gave_up += gave_up
                outcome.failed += not gave_up
            else:
                _mark_sent(message)
                outcome.sent += 1
    finally:
        if mail is not None:
            _close_quietly(mail)
    return outcome


def deliver_one(message: OutboxMessage, now: datetime | None = None) -> OutboxMessage:
    """Send one pending message now, if no worker holds it (the teams page's test message)."""
    now = now or timezone.now()
    claimed = _claim(now, 1, only=message.pk)
    for row in claimed:
        mail = get_connection() if row.kind == OutboxKind.EMAIL else None
        try:
            _send(row, mail)
        except Exception as error:  # written on the row
            _mark_failed(row, _reason(error), now)
        else:
            _mark_sent(row)
        finally:
            if mail is not None:
                _close_quietly(mail)
    message.refresh_from_db()
    return message


def _claim(now: datetime, limit: int, *, only: int | None = None) -> list[OutboxMessage]:
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    if only is not None:
        due = due.filter(pk=only)
    claimed: list[OutboxMessage] = []
    lease_until = now + claim_lease()
    with transaction.atomic():
        # Row locks on PostgreSQL (other workers skip these rows); no-op on SQLite.
        candidates = list(
            due.order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", "attempts")[:limit]
        )
        for pk, attempts in candidates:
            # Only the worker that saw this ``attempts`` wins the row; anyone else updates 0 rows.
            won = OutboxMessage.objects.filter(
                pk=pk, status=OutboxStatus.PENDING, attempts=attempts
            ).update(attempts=F("attempts") + 1, next_attempt_at=lease_until)
            if won:
                claimed.append(OutboxMessage.objects.get(pk=pk))
    return claimed


def _reason(error: Exception) -> str:
    if isinstance(error, SendError):
        return str(error)
    logger.exception("Sending an outbox message failed unexpectedly")
    return f"Unexpected error while sending: {type(error).__name__}: {error}"


def _mark_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=""
    )


def _mark_failed(message: OutboxMessage, error: str, now: datetime) -> bool:
    """Write the reason and when to try again; True when this was the last attempt."""
    gave_up = message.attempts >= max_attempts()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
        last_error=error[:1000],
        next_attempt_at=now if gave_up else now + backoff(message.attempts),
    )
    logger.warning(
        "Outbox message %s (%s) attempt %s failed%s: %s",
        message.pk,
        message.dedupe_key,
        message.attempts,
        "; gave up" if gave_up else "",
        error,
    )
    return gave_up


def _close_quietly(mail: Any) -> None:
    try:
        mail.close()
    except Exception:  # closing a broken connection may fail in any way
        logger.debug("Closing the mail connection failed", exc_info=True)


def _send(message: OutboxMessage, mail: Any) -> None:
    if message.kind == OutboxKind.EMAIL:
        _send_email(message, mail)
    elif message.kind in (OutboxKind.SLACK, OutboxKind.TEAMS):
        _post_webhook(message)
    else:
        raise SendError(f"Unknown kind of message {message.kind!r}.")


def _send_email(message: OutboxMessage, mail: Any) -> None:
    if not message.to:
        raise SendError("The e-mail has no recipient.")
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body, to=list(message.to), connection=mail
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        name = str(attachment.get("name") or "attachment")
        try:
            with default_storage.open(str(attachment["path"]), "rb") as handle:
                content = handle.read()
        except (KeyError, OSError) as error:
            raise SendError(f"The attachment {name} could not be read: {error}.") from None
        email.attach(name, content, attachment.get("mimetype") or None)
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPException as error:
        raise SendError(f"The mail server refused: {_smtp_reason(error)}") from None
    except TimeoutError:
        raise SendError("The mail server did not answer in time.") from None
    except OSError as error:  # refused, unreachable, DNS, TLS
        raise SendError(f"Could not reach the mail server: {error.strerror or error}.") from None


def _smtp_reason(error: smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(error.recipients))
        return f"it would not take the recipient(s) {refused}."
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if code:
        return f"{code} {text}".strip() + "."
    return f"{error}." if str(error) else f"{type(error).__name__}."


def _post_webhook(message: OutboxMessage) -> None:
    url = str(message.to[0]) if message.to else ""
    who = KIND_NAMES.get(OutboxKind(message.kind), "The webhook")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SendError(f"The {who} webhook address is not an http(s) address.")
    timeout = webhook_timeout()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(message.payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "mediadesk"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(2048)
    except urllib.error.HTTPError as error:
        detail = _snippet(error)
        raise SendError(f"{who} answered {error.code}{f': {detail}' if detail else ''}.") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SendError(f"No answer from {parts.hostname} within {timeout:g} s.") from None
        raise SendError(f"Could not reach {parts.hostname}: {error.reason}.") from None
    except TimeoutError:
        raise SendError(f"No answer from {parts.hostname} within {timeout:g} s.") from None
    except OSError as error:
        raise SendError(f"Could not reach {parts.hostname}: {error}.") from None


def _snippet(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(300).decode("utf-8", "replace")
    except Exception:  # the body is only a detail for the sentence
        return ""
    return " ".join(text.split())[:200]


# --- who sees what; sending again -----------------------------------------------------------------


def visible_messages(user: Any) -> QuerySet[OutboxMessage]:
    """Organization admins: every message of their organization. Everyone else: the messages
    about clients they work on internally (client reviewers see none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return OutboxMessage.objects.none()
    if is_org_admin(user):
        org_clients = Client.objects.filter(organization_id=user.organization_id).values("id")
        return OutboxMessage.objects.filter(
            Q(client_id__in=org_clients)
            | Q(client__isnull=True, organization_id=user.organization_id)
        )
    internal = [pk for pk in roles_by_client(user) if can(user, Action.VIEW_ALL_CAMPAIGNS, pk)]
    return OutboxMessage.objects.filter(client_id__in=internal).filter(
        client_id__in=visible_client_ids(user)
    )


def may_retry(user: Any, message: OutboxMessage) -> bool:
    """Organization admins of the message's organization (or the client's)."""
    if not is_org_admin(user):
        return False
    return visible_messages(user).filter(pk=message.pk).exists()


def retry(actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Send a message that was given up on again now, with a fresh round of attempts.

    Only failed messages: a waiting one is tried again on its own, and one being sent at this
    moment (claimed by a worker) must not be handed to a second worker."""
    if not may_retry(actor, message):
        raise PermissionDenied("Only organization admins can send a message again.")
    with transaction.atomic():
        before = {"status": message.status, "attempts": message.attempts}
        changed = OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        message.refresh_from_db()
        if not changed:
            raise Conflict(
                "This message was sent already; nothing to send again."
                if message.status == OutboxStatus.SENT
                else "This message is still being tried; it is sent again on its own."
            )
        record(
            actor=actor,
            obj=message,
            action=AuditAction.UPDATED,
            changes={
                "status": [before["status"], message.status],
                "attempts": [before["attempts"], 0],
            },
            reason=f"Sent again by hand (last error: {message.last_error or 'none'})"[:500],
        )
    transaction.on_commit(_enqueue_delivery)
    return message


def _enqueue_delivery() -> None:
    from mediadesk.work.jobs import deliver_outbox_job

    try:
        deliver_outbox_job.enqueue()
    except Exception:  # the scheduler sends it within a minute anyway
        logger.warning("Could not enqueue the outbox delivery", exc_info=True)
