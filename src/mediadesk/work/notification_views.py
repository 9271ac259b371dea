"""Notification pages: my notifications (unread first), my e-mail preferences, the outbox (what
was e-mailed or posted, what is waiting and why, "send again" for admins) and the teams with
their Slack or Microsoft Teams channels.

Who sees what: notifications are the person's own (about clients they still see); the outbox
shows organization admins every message of their organization and everyone else the messages
about clients they work on internally; teams are the organization's, kept by its admins. A
client reviewer finds neither the outbox nor the teams (404).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mediadesk.accounts.permissions import Action, can, is_org_admin, roles_by_client
from mediadesk.errors import Conflict
from mediadesk.web.redirects import safe_next
from mediadesk.work import notify as notifications
from mediadesk.work import outbox
from mediadesk.work.choices import EmailMode, OutboxKind, OutboxStatus
from mediadesk.work.models import Notification, OutboxMessage, Team

PAGE_SIZE = 50
STATUS_TONES = {
    OutboxStatus.PENDING: "tone-warn",
    OutboxStatus.SENT: "tone-good",
    OutboxStatus.FAILED: "tone-bad",
}
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


# --- my notifications -------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    unread_only = request.GET.get("show") == "unread"
    rows = notifications.visible_notifications(user).select_related("client")
    unread = rows.filter(read_at__isnull=True).count()
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    rows = rows.annotate(
        unread_first=Case(
            When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("unread_first", "-created_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "work/notifications.html",
        {
            "page": page,
            "unread": unread,
            "unread_only": unread_only,
            "preference": notifications.preference_of(user),
        },
    )


def _own(request: HttpRequest, notification_id: int) -> Notification:
    found = (
        notifications.visible_notifications(request.user)
        .filter(pk=notification_id)
        .select_related("client")
        .first()
    )
    if found is None:
        raise Http404("No such notification of yours.")
    return found


@login_required
@require_http_methods(["GET"])
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link; opening it marks it read."""
    notification = _own(request, notification_id)
    notifications.mark_read(request.user, notification)
    target = notification.url
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("work:notifications")
    return redirect(target)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _own(request, notification_id)
    notifications.mark_read(request.user, notification)
    return redirect(safe_next(request, reverse("work:notifications")))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications.mark_all_read(request.user)
    if marked:
        messages.success(
            request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read."
        )
    return redirect(safe_next(request, reverse("work:notifications")))


# --- my e-mail preferences --------------------------------------------------------------------


class PreferencesForm(forms.Form):
    email_mode = forms.ChoiceField(
        label="E-mail me",
        choices=[
            (EmailMode.IMMEDIATE, "Right away, one e-mail per notification"),
            (EmailMode.DIGEST, "Once a day, everything in one e-mail"),
            (EmailMode.OFF, "Never (I look at the bell)"),
        ],
        widget=forms.RadioSelect,
    )
    digest_hour = forms.TypedChoiceField(
        label="Daily e-mail at",
        choices=HOURS,
        coerce=int,
        help_text="Your daily e-mail holds what arrived before this hour and you have not read.",
    )
    attention_digest = forms.BooleanField(
        label="Include my new critical and high attention items in the daily e-mail",
        required=False,
        help_text="They are never e-mailed one by one.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    preference = notifications.preference_of(user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                notifications.save_preferences(user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Saved. mediadesk e-mails you as you chose.")
                return redirect("work:notification_preferences")
    else:
        form = PreferencesForm(
            initial={
                "email_mode": preference.email_mode,
                "digest_hour": preference.digest_hour,
                "attention_digest": preference.attention_digest,
            }
        )
    return render(
        request, "work/preferences.html", {"form": form, "email": user.email, "saved": preference}
    )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- the outbox ---------------------------------------------------------------------------------


def _internal(user: Any) -> bool:
    """Whether the user works on some client internally (client reviewers do not)."""
    return is_org_admin(user) or any(
        can(user, Action.VIEW_ALL_CAMPAIGNS, pk) for pk in roles_by_client(user)
    )


def _require_internal(request: HttpRequest) -> None:
    if not _internal(request.user):
        raise Http404("The outbox and teams are the agency's internal work.")


def _recipient(message: OutboxMessage) -> str:
    if message.kind == OutboxKind.EMAIL:
        return ", ".join(message.to)
    return notifications.mask_webhook(str(message.to[0])) if message.to else ""


@login_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    _require_internal(request)
    user: Any = request.user
    visible = outbox.visible_messages(user)
    counts = dict(visible.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    rows = visible.select_related("client")
    if status in OutboxStatus.values:
        rows = rows.filter(status=status)
    if kind in OutboxKind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    admin = is_org_admin(user)
    entries = [
        {
            "message": message,
            "to": _recipient(message),
            "tone": STATUS_TONES.get(OutboxStatus(message.status), "tone-neutral"),
            "retry": admin and _resendable(message),
        }
        for message in page
    ]
    query = {k: v for k, v in {"status": status, "kind": kind}.items() if v}
    return render(
        request,
        "work/outbox.html",
        {
            "page": page,
            "entries": entries,
            "status": status,
            "kind": kind,
            "query": urlencode(query),
            "statuses": [
                {"value": value, "label": label, "count": counts.get(value, 0)}
                for value, label in OutboxStatus.choices
            ],
            "kinds": OutboxKind.choices,
            "admin": admin,
            "max_attempts": outbox.max_attempts(),
        },
    )


def _resendable(message: OutboxMessage) -> bool:
    """Given up on (a waiting message is tried again on its own)."""
    return message.status == OutboxStatus.FAILED


def _message(request: HttpRequest, message_id: int) -> OutboxMessage:
    _require_internal(request)
    found = (
        outbox.visible_messages(request.user)
        .filter(pk=message_id)
        .select_related("client", "organization")
        .first()
    )
    if found is None:
        raise Http404("No such message in your outbox.")
    return found


@login_required
def outbox_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _message(request, message_id)
    payload = (
        json.dumps(message.payload, indent=2, ensure_ascii=False)
        if message.kind != OutboxKind.EMAIL
        else ""
    )
    return render(
        request,
        "work/outbox_detail.html",
        {
            "message": message,
            "to": _recipient(message),
            "tone": STATUS_TONES.get(OutboxStatus(message.status), "tone-neutral"),
            "payload": payload,
            "retry": _resendable(message) and outbox.may_retry(request.user, message),
            "max_attempts": outbox.max_attempts(),
        },
    )


@login_required
@require_POST
def outbox_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _message(request, message_id)
    try:
        outbox.retry(request.user, message)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        message.refresh_from_db()
        if message.status == OutboxStatus.SENT:
            messages.success(request, f"Sent: {message.subject or message.dedupe_key}")
        else:
            messages.success(
                request,
                f"“{message.subject or message.dedupe_key}” will be sent again within a minute.",
            )
    return redirect(safe_next(request, reverse("work:outbox")))


# --- teams ----------------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)
    members = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    slack_webhook_url = forms.CharField(
        label="Slack incoming webhook",
        required=False,
        max_length=500,
        help_text="In Slack: Apps › Incoming Webhooks › Add to a channel; paste the address "
        "(https://hooks.slack.com/services/…).",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    teams_webhook_url = forms.CharField(
        label="Microsoft Teams incoming webhook",
        required=False,
        max_length=500,
        help_text="In Teams: the channel's Workflows › “Post to a channel when a webhook request "
        "is received”; paste the address it gives.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members: Any = self.fields["members"]
        members.choices = [(p.pk, f"{p.display_name} ({p.email})") for p in people]


def _team(request: HttpRequest, team_id: int) -> Team:
    _require_internal(request)
    team = notifications.organization_teams(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team in your organization.")
    return team


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    _require_internal(request)
    user: Any = request.user
    admin = is_org_admin(user)
    error = ""
    if request.method == "POST":
        try:
            team = notifications.create_team(user, request.POST.get("name", ""))
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"Team {team.name} created; now choose its members.")
            return redirect("work:team_detail", team_id=team.pk)
    teams = (
        notifications.organization_teams(user)
        .prefetch_related("members")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )
    rows = [
        {
            "team": team,
            "members": [m.display_name for m in team.members.all()],
            "slack": notifications.mask_webhook(team.slack_webhook_url),
            "teams": notifications.mask_webhook(team.teams_webhook_url),
        }
        for team in teams
    ]
    return render(
        request,
        "work/teams.html",
        {"rows": rows, "admin": admin, "error": error, "typed": request.POST.get("name", "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    user: Any = request.user
    admin = is_org_admin(user)
    people = notifications.team_candidates(team.organization_id)
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("Only organization admins can change teams.")
        form = TeamForm(request.POST, people=people)
        if form.is_valid():
            try:
                notifications.update_team(
                    user,
                    team,
                    name=form.cleaned_data["name"],
                    member_ids=form.cleaned_data["members"],
                    slack_webhook_url=form.cleaned_data["slack_webhook_url"],
                    teams_webhook_url=form.cleaned_data["teams_webhook_url"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Team {team.name} saved.")
                return redirect("work:team_detail", team_id=team.pk)
    else:
        form = TeamForm(
            people=people,
            initial={
                "name": team.name,
                "members": list(team.members.values_list("pk", flat=True)),
                "slack_webhook_url": team.slack_webhook_url,
                "teams_webhook_url": team.teams_webhook_url,
            },
        )
    recent = (
        outbox.visible_messages(user)
        .filter(
            Q(dedupe_key__startswith=f"team:{team.pk}:")
            | Q(dedupe_key__startswith=f"team-test:{team.pk}:")
        )
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "work/teams_detail.html",
        {
            "team": team,
            "form": form,
            "admin": admin,
            "members": list(team.members.order_by("full_name", "email")),
            "slack": notifications.mask_webhook(team.slack_webhook_url),
            "teams": notifications.mask_webhook(team.teams_webhook_url),
            "recent": [
                {
                    "message": m,
                    "tone": STATUS_TONES.get(OutboxStatus(m.status), "tone-neutral"),
                }
                for m in recent
            ],
        },
    )


@login_required
@require_POST
def team_test(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    try:
        sent = notifications.send_test_message(request.user, team)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        for message in sent:
            channel = OutboxKind(message.kind).label
            if message.status == OutboxStatus.SENT:
                messages.success(request, f"{channel}: the test message was delivered.")
            else:
                messages.error(
                    request,
                    f"{channel}: not delivered — {message.last_error} Check the webhook "
                    "address; the attempt is kept in the outbox.",
                )
    return redirect("work:team_detail", team_id=team.pk)


@login_required
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    name = team.name
    notifications.delete_team(request.user, team)
    messages.success(request, f"Team {name} deleted; its people and their work are unchanged.")
    return redirect("work:teams")
