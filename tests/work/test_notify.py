"""Notifications: in the app, by e-mail right away or in a daily digest as each person prefers,
mentions in any comment, new attention items for their owners and team channels — and never
about a client the person does not work on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from mediadesk.accounts.models import Membership
from mediadesk.creative.models import Asset, AssetVersion, ReviewRound
from mediadesk.creative.services import add_comment
from mediadesk.finance.models import Invoice
from mediadesk.finance.services import add_note, dispute
from mediadesk.vendors.models import Vendor
from mediadesk.work import notify as notifications
from mediadesk.work.choices import EmailMode, OutboxKind
from mediadesk.work.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    Silence,
    Team,
)
from mediadesk.work.outbox import deliver_due
from work.webhook_server import (
    Channel,
    channel_fixture,  # noqa: F401 - the fixture `channel`
)


def tell(user: Any, key: str, client: Any = None, kind: str = "mention", **fields: Any) -> Any:
    return notifications.notify(
        user,
        kind=kind,
        title=fields.pop("title", f"Note {key}"),
        body=fields.pop("body", "Look at this"),
        url=fields.pop("url", "/campaigns/"),
        client_id=client.pk if client else None,
        dedupe_key=key,
    )


def prefer(user: Any, mode: str, hour: int = 7, attention: bool = True) -> None:
    NotificationPreference.objects.update_or_create(
        user=user,
        defaults={"email_mode": mode, "digest_hour": hour, "attention_digest": attention},
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


TOMORROW = timezone.localdate() + timedelta(days=1)  # notifications made now are "before" it


# --- in the app and by e-mail right away -----------------------------------------------------


def test_notify_once_in_the_app_and_by_email_right_away(demo: Any) -> None:
    made = tell(demo.ben, "k1", demo.northwind, title="Alice mentioned you")
    assert made is not None and made.emailed_at is not None
    assert tell(demo.ben, "k1", demo.northwind) is None  # the same event: once
    assert Notification.objects.filter(user=demo.ben).count() == 1
    queued = OutboxMessage.objects.get(dedupe_key=f"notification:{made.pk}")
    assert queued.to == ["ben@demo.test"] and queued.client_id == demo.northwind.pk
    assert deliver_due() == 1
    assert mail.outbox[0].subject == "Alice mentioned you"
    assert f"/notifications/{made.pk}/open/" in mail.outbox[0].body
    assert "/settings/notifications/" in mail.outbox[0].body


def test_nobody_is_told_about_a_client_they_do_not_work_on(demo: Any) -> None:
    assert tell(demo.ben, "fbrk", demo.fabrikam) is None  # ben: Northwind and Contoso only
    assert tell(demo.dan, "ctso", demo.contoso) is None  # dan: a Northwind reviewer
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    demo.ben.is_active = False
    demo.ben.save()
    assert tell(demo.ben, "gone", demo.northwind) is None


def test_email_off_and_digest_send_nothing_right_away(demo: Any) -> None:
    prefer(demo.ben, EmailMode.OFF)
    prefer(demo.cara, EmailMode.DIGEST)
    assert tell(demo.ben, "a", demo.northwind).emailed_at is None
    assert tell(demo.cara, "b", demo.northwind).emailed_at is None
    assert not OutboxMessage.objects.exists()


def test_attention_items_are_never_emailed_one_by_one(demo: Any) -> None:
    made = tell(demo.ben, "att", demo.northwind, kind=notifications.ATTENTION)
    assert made.emailed_at is None and not OutboxMessage.objects.exists()


# --- the daily digest -----------------------------------------------------------------------------


def test_the_digest_goes_once_a_day_at_the_persons_hour(demo: Any) -> None:
    prefer(demo.cara, EmailMode.DIGEST, hour=9)
    first = tell(demo.cara, "1", demo.northwind, title="Invoice 12 disputed")
    second = tell(demo.cara, "2", demo.fabrikam, title="Task given to you")
    read = tell(demo.cara, "3", demo.contoso, title="Already read")
    notifications.mark_read(demo.cara, read)

    assert notifications.send_digests(at(TOMORROW, 8, 59)) == 0  # not her hour yet
    assert notifications.send_digests(at(TOMORROW, 9, 5)) == 1
    assert notifications.send_digests(at(TOMORROW, 10, 0)) == 0  # once a day
    message = OutboxMessage.objects.get(dedupe_key=f"digest:{demo.cara.pk}:{TOMORROW}")
    assert message.to == ["cara@demo.test"]
    assert "Invoice 12 disputed" in message.body and "Task given to you" in message.body
    assert "Already read" not in message.body
    assert "Northwind" in message.body and "Fabrikam" in message.body
    assert "Invoice 12 disputed" in message.html
    assert set(Notification.objects.filter(emailed_at__isnull=False)) == {first, second}
    deliver_due()
    assert len(mail.outbox) == 1 and mail.outbox[0].alternatives  # type: ignore[attr-defined]


def test_what_arrives_after_the_hour_waits_for_tomorrow(demo: Any) -> None:
    prefer(demo.cara, EmailMode.DIGEST, hour=9)
    day = timezone.localdate() - timedelta(days=1)  # "now" is after yesterday's 9:00
    tell(demo.cara, "late", demo.northwind)
    assert notifications.send_digests(at(day, 10)) == 0
    assert notifications.send_digests(at(day + timedelta(days=2), 9)) == 1


def test_a_job_run_twice_sends_one_digest(demo: Any) -> None:
    prefer(demo.cara, EmailMode.DIGEST, hour=7)
    tell(demo.cara, "1", demo.northwind)
    assert notifications.send_digests(at(TOMORROW, 7)) == 1
    tell(demo.cara, "2", demo.northwind)  # arrives, then the job runs again the same day
    assert notifications.send_digests(at(TOMORROW, 7, 30)) == 0
    assert OutboxMessage.objects.filter(dedupe_key__startswith="digest:").count() == 1
    assert Notification.objects.get(dedupe_key="2").emailed_at is None  # tomorrow's


def test_immediate_people_get_their_attention_items_in_the_daily_email(demo: Any) -> None:
    # Ben never saved preferences: immediate, with attention items in the 7:00 e-mail.
    tell(demo.ben, "att", demo.northwind, kind=notifications.ATTENTION, title="Critical: pacing")
    tell(demo.ben, "mention", demo.northwind, title="A mention")  # e-mailed at once already
    prefer(demo.cara, EmailMode.IMMEDIATE, attention=False)
    tell(demo.cara, "att-c", demo.northwind, kind=notifications.ATTENTION)
    assert notifications.send_digests(at(TOMORROW, 7)) == 1
    digest = OutboxMessage.objects.get(dedupe_key__startswith="digest:")
    assert digest.to == ["ben@demo.test"]
    assert "Critical: pacing" in digest.body and "A mention" not in digest.body


def test_the_digest_leaves_out_clients_the_person_no_longer_sees(demo: Any) -> None:
    prefer(demo.cara, EmailMode.DIGEST)
    tell(demo.cara, "n", demo.northwind, title="About Northwind")
    tell(demo.cara, "f", demo.fabrikam, title="About Fabrikam")
    Membership.objects.filter(user=demo.cara, client=demo.fabrikam).delete()
    notifications.send_digests(at(TOMORROW, 7))
    digest = OutboxMessage.objects.get(dedupe_key__startswith="digest:")
    assert "About Northwind" in digest.body and "Fabrikam" not in digest.body
    assert notifications.unread_count(demo.cara) == 1
    assert [n.title for n in notifications.visible_notifications(demo.cara)] == ["About Northwind"]


# --- read state, preferences ----------------------------------------------------------------------


def test_unread_count_and_marking_read(demo: Any) -> None:
    one = tell(demo.ben, "1", demo.northwind)
    tell(demo.ben, "2", demo.contoso)
    tell(demo.alice, "3", demo.fabrikam)
    assert notifications.unread_count(demo.ben) == 2
    notifications.mark_read(demo.ben, one)
    assert notifications.unread_count(demo.ben) == 1
    with pytest.raises(Exception, match="someone else"):
        notifications.mark_read(demo.alice, one)
    assert notifications.mark_all_read(demo.ben) == 1
    assert notifications.unread_count(demo.ben) == 0
    assert notifications.unread_count(demo.alice) == 1


def test_saving_preferences_is_audited_and_checked(demo: Any) -> None:
    from mediadesk.audit.models import AuditEvent

    saved = notifications.save_preferences(
        demo.ben, email_mode=EmailMode.DIGEST, digest_hour=6, attention_digest=False
    )
    assert (saved.email_mode, saved.digest_hour, saved.attention_digest) == ("digest", 6, False)
    event = AuditEvent.objects.filter(actor=demo.ben).latest("id")
    assert event.changes["email_mode"] == ["immediate", "digest"]
    with pytest.raises(Exception, match="0 to 23"):
        notifications.save_preferences(
            demo.ben, email_mode=EmailMode.DIGEST, digest_hour=24, attention_digest=True
        )


# --- mentions in comments and notes ---------------------------------------------------------------


def an_invoice(client: Any) -> Invoice:
    vendor = Vendor.objects.filter(organization=client.organization).first()
    assert vendor is not None
    return Invoice.objects.create(
        client=client, vendor=vendor, number=f"INV-{client.code}", invoice_date=date(2026, 11, 1),
        currency="EUR", total=Decimal("100.00"), source="form",
    )  # fmt: skip


def test_mentions_in_invoice_notes_tell_people_who_see_the_finance(demo: Any) -> None:
    invoice = an_invoice(demo.northwind)
    add_note(demo.cara, invoice, "@ben@demo.test @lea@demo.test @dan@demo.test see the tax line")
    told = Notification.objects.filter(kind="mention")
    # Ben (coordinator) sees finance; Lea (legal) and Dan (client reviewer) do not.
    assert [n.user for n in told] == [demo.ben]
    note = told.get()
    assert note.url == invoice.get_absolute_url() and note.client_id == demo.northwind.pk
    assert "invoice INV-NWND" in note.title and "tax line" in note.body

    foreign = an_invoice(demo.fabrikam)  # Ben does not work on Fabrikam
    add_note(demo.cara, foreign, "@ben@demo.test have a look")
    assert told.count() == 1


def test_mentions_in_a_dispute_note_notify(demo: Any) -> None:
    invoice = an_invoice(demo.northwind)
    Invoice.objects.filter(pk=invoice.pk).update(status="matched")
    invoice.refresh_from_db()
    dispute(demo.cara, invoice, "Rate is wrong, @ben@demo.test please confirm the IO")
    assert Notification.objects.get(kind="mention").user == demo.ben


def test_mentions_in_review_comments_notify_in_the_app_and_by_email(demo: Any) -> None:
    campaign = demo.campaign("NWND-AR26")
    asset = Asset.objects.create(
        client=demo.northwind, campaign=campaign, kind="image", name="Hero banner", version_count=1
    )
    version = AssetVersion.objects.create(
        asset=asset, number=1, original_name="hero.png", content_type="image/png", bytes=4,
        checksum="hero",
    )  # fmt: skip
    version.file.save("hero.png", ContentFile(b"hero"), save=True)
    round_ = ReviewRound.objects.create(asset=asset, version=version, number=1)
    add_comment(demo.alice, round_, "Logo too small @ben@demo.test")
    note = Notification.objects.get(user=demo.ben, kind="mention")
    assert (
        note.title.endswith("mentioned you on Hero banner") and note.url == asset.get_absolute_url()
    )
    assert note.emailed_at is None  # the review e-mailed him itself, once
    assert len(mail.outbox) == 1 and not OutboxMessage.objects.exists()


# --- new attention items --------------------------------------------------------------------------


@dataclass
class FakeItem:
    """What compute_attention passes: AttentionItem rows or domain Items look alike here."""

    client_id: int
    key: str
    severity: str
    title: str
    owner_id: int | None
    situation: str = "pacing under plan, high"
    url: str = "/campaigns/"
    due: date | None = None
    shared_with_client: bool = False

    @property
    def fingerprint(self) -> str:
        return f"{self.key}|{self.situation}"


def test_owners_hear_of_new_critical_and_high_items_once(demo: Any) -> None:
    nw = demo.northwind.pk
    items = [
        FakeItem(nw, "pacing_off:placement:1", "critical", "Placement 1 pacing 40%", demo.ben.pk),
        FakeItem(
            nw, "budget:campaign:2", "high", "Budget overrun", demo.ben.pk, due=date(2026, 12, 1)
        ),
        FakeItem(nw, "rights:asset:3", "medium", "Rights expire", demo.ben.pk),
        FakeItem(nw, "nobody:x:4", "critical", "Nobody owns it", None),
        FakeItem(demo.fabrikam.pk, "other:placement:9", "critical", "Fabrikam's", demo.ben.pk),
    ]
    assert notifications.notify_new_attention(nw, items) == 2
    assert notifications.notify_new_attention(nw, items) == 0  # recomputed: nothing twice
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert titles == ["Critical: Placement 1 pacing 40%", "High: Budget overrun"]
    budget = Notification.objects.get(title="High: Budget overrun")
    assert budget.body.endswith("Due 1 Dec 2026.") and budget.kind == notifications.ATTENTION

    # The situation changes: that is news again.
    items[0].situation = "pacing under plan, critical"
    assert notifications.notify_new_attention(nw, items) == 1


def test_silenced_items_and_reviewers_are_left_alone(demo: Any) -> None:
    nw = demo.northwind.pk
    snoozed = FakeItem(nw, "pacing_off:placement:5", "critical", "Snoozed one", demo.ben.pk)
    Silence.objects.create(
        client=demo.northwind, key=snoozed.key, fingerprint=snoozed.fingerprint,
        title=snoozed.title, dismissed=True, reason="Known",
    )  # fmt: skip
    internal = FakeItem(nw, "review:stage:6", "high", "Internal review", demo.dan.pk)
    shared = FakeItem(nw, "review:stage:7", "high", "Your review", demo.dan.pk,
                      shared_with_client=True)  # fmt: skip
    assert notifications.notify_new_attention(nw, [snoozed, internal, shared]) == 1
    assert Notification.objects.get().title == "High: Your review"


# --- team channels --------------------------------------------------------------------------------


def a_team(demo: Any, name: str, members: list[Any], url: str, kind: str = "slack") -> Team:
    team = Team.objects.create(organization=demo.northwind.organization, name=name)
    team.members.set(members)
    setattr(team, f"{kind}_webhook_url", url)
    team.save()
    return team


def test_new_critical_items_are_posted_only_to_teams_who_all_work_on_the_client(
    demo: Any,
    channel: Channel,
) -> None:
    nwnd_team = a_team(demo, "Northwind", [demo.ben, demo.cara], channel.url("/ok"))
    both = a_team(demo, "Northwind too", [demo.ben], channel.url("/ok"), kind="teams")
    a_team(demo, "Mixed", [demo.ben, demo.cara, demo.dan], channel.url("/ok"))  # dan: reviewer
    a_team(demo, "No channel", [demo.ben], "")
    fbrk_only = a_team(demo, "Fabrikam", [demo.cara], channel.url("/ok"))  # cara: NWND too
    nw = demo.northwind.pk
    items = [
        FakeItem(nw, "flight:placement:1", "critical", "Flight starts without an IO", demo.ben.pk),
        FakeItem(nw, "pacing:placement:2", "high", "Pacing a bit low", demo.ben.pk),
        FakeItem(demo.fabrikam.pk, "flight:placement:3", "critical", "FABRIKAM SECRET", None),
    ]
    assert notifications.announce_new_items(nw, items) == 3
    assert notifications.announce_new_items(nw, items) == 0  # a computation run twice
    posts = OutboxMessage.objects.order_by("id")
    assert {(p.kind, p.subject.split(":")[0]) for p in posts} == {
        (OutboxKind.SLACK, nwnd_team.name),
        (OutboxKind.TEAMS, both.name),
        (OutboxKind.SLACK, fbrk_only.name),
    }
    assert all(p.client_id == nw for p in posts)
    deliver_due()
    bodies = [str(body) for _, body in channel.received]
    assert len(bodies) == 3
    assert all("Flight starts without an IO" in body for body in bodies)
    assert not any("FABRIKAM" in body or "Pacing a bit low" in body for body in bodies)
    slack = next(body for _, body in channel.received if "text" in body)
    assert slack["text"].startswith("*Northwind: 1 new critical item on the attention list*")
    card = next(body for _, body in channel.received if "attachments" in body)
    assert card["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"


def test_each_team_hears_of_an_item_once_even_when_given_the_whole_list(
    demo: Any,
    channel: Channel,
) -> None:
    a_team(demo, "Northwind", [demo.ben], channel.url("/ok"))
    nw = demo.northwind.pk
    items = [FakeItem(nw, "flight:placement:1", "critical", "First critical", demo.ben.pk)]
    assert notifications.announce_new_items(nw, items) == 1
    items.append(FakeItem(nw, "flight:placement:2", "critical", "Second critical", demo.ben.pk))
    assert notifications.announce_new_items(nw, items) == 1  # only the second one is news
    assert notifications.announce_new_items(nw, items) == 0
    deliver_due()
    texts = [body["text"] for _, body in channel.received]
    assert "First critical" in texts[0] and "Second critical" not in texts[0]
    assert "Second critical" in texts[1] and "First critical" not in texts[1]
    assert texts[1].startswith("*Northwind: 1 new critical item")


def test_a_fabrikam_post_never_reaches_a_team_with_a_northwind_only_member(
    demo: Any,
    channel: Channel,
) -> None:
    a_team(demo, "Ben and Cara", [demo.ben, demo.cara], channel.url("/ok"))
    items = [FakeItem(demo.fabrikam.pk, "f:placement:1", "critical", "Fabrikam item", None)]
    assert notifications.announce_new_items(demo.fabrikam.pk, items) == 0
    assert notifications.post_to_teams(demo.fabrikam.pk, "Anything", "/") == 0


def test_slack_text_is_escaped_and_links_are_absolute(settings: Any) -> None:
    settings.SITE_URL = "https://md.example.org"
    payload = notifications.channel_payload(
        OutboxKind.SLACK, "Tom & Jerry <script>", "/", [("Item <b>", "/campaigns/1/")]
    )
    assert payload["text"].splitlines() == [
        "*Tom &amp; Jerry &lt;script&gt;*",
        "• <https://md.example.org/campaigns/1/|Item &lt;b&gt;>",
        "<https://md.example.org/|Open in mediadesk>",
    ]


# --- managing teams -------------------------------------------------------------------------------


def test_org_admins_manage_teams_and_the_trail_hides_webhook_secrets(
    demo: Any,
    channel: Channel,
) -> None:
    from mediadesk.audit.models import AuditEvent

    with pytest.raises(Exception, match="Only organization admins"):
        notifications.create_team(demo.ben, "Ben's")
    team = notifications.create_team(demo.alice, "Northwind crew")
    with pytest.raises(Exception, match="already"):
        notifications.create_team(demo.alice, "northwind crew")
    secret = channel.url("/ok") + "/T000/B000/SECRETTOKEN"
    notifications.update_team(
        demo.alice, team, name="Northwind crew", member_ids=[demo.ben.pk, demo.cara.pk],
        slack_webhook_url=secret,
    )  # fmt: skip
    assert set(team.members.all()) == {demo.ben, demo.cara}
    event = AuditEvent.objects.filter(object_id=str(team.pk), action="updated").latest("id")
    assert "SECRETTOKEN" not in str(event.changes)
    assert event.changes["slack_webhook"] == ["", "127.0.0.1/…"]
    with pytest.raises(Exception, match="work on its clients"):
        notifications.update_team(demo.alice, team, name="X", member_ids=[demo.dan.pk])
    with pytest.raises(Exception, match="https://"):
        notifications.update_team(
            demo.alice, team, name="X", member_ids=[], slack_webhook_url="file:///etc/passwd"
        )

    sent = notifications.send_test_message(demo.alice, team)
    assert [m.status for m in sent] == ["sent"]
    assert channel.received[0][0] == "/ok/T000/B000/SECRETTOKEN"
    assert "Test message from mediadesk" in channel.received[0][1]["text"]

    notifications.update_team(
        demo.alice, team, name="Northwind crew", member_ids=[],
        slack_webhook_url=channel.url("/fail"),
    )  # fmt: skip
    failed = notifications.send_test_message(demo.alice, team)
    assert [m.status for m in failed] == ["failed"]  # a test is not tried again
    assert failed[0].last_error.startswith("Slack answered 500")
