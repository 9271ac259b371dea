"""Meeting pages: the list (upcoming and past, per client), a new meeting, and the meeting page
itself — before it starts, the live agenda; during it, the notes (saved as they are typed),
action items per agenda line and the list of action items; after it, the minutes, read-only,
with the action items' current status, and who the minutes were sent to and when.

Meetings are internal work: a client reviewer finds none of these pages (404). Every change
goes through ``work.meetings``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediadesk.accounts.models import Client
from mediadesk.accounts.permissions import Action, can, is_org_admin, roles_by_client
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.errors import Conflict
from mediadesk.web.context import current_client
from mediadesk.work import meetings, services
from mediadesk.work.choices import MeetingStatus
from mediadesk.work.forms import ActionItemForm, MeetingForm, NotesForm, next_monday_ten
from mediadesk.work.models import Meeting
from mediadesk.work.task_views import (
    add_service_errors,
    chosen_client,
    manageable_clients,
)

PAST_PAGE = 25
KIND_LABELS_EXTRA = {"task": "Open task"}


def _internal_ids(user: Any) -> list[int]:
    return [pk for pk in roles_by_client(user) if can(user, Action.VIEW_ALL_CAMPAIGNS, pk)]


def _require_internal(user: Any) -> list[int]:
    ids = _internal_ids(user)
    if not ids and not is_org_admin(user):
        raise Http404("Meetings are internal work.")
    return ids


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    rows = meetings.visible_meetings(request.user).select_related("client", "campaign")
    meeting: Meeting = get_object_or_404(rows, pk=meeting_id)
    return meeting


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    from mediadesk.work.views import KIND_LABELS, SEVERITY_TONES

    kinds = {str(key): value for key, value in KIND_LABELS.items()} | KIND_LABELS_EXTRA
    tones = {str(key): value for key, value in SEVERITY_TONES.items()}
    return kinds, tones


# --- the list --------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    ids = _require_internal(user)
    rows = meetings.visible_meetings(user).filter(client_id__in=ids)
    clients = Client.objects.filter(pk__in=ids).order_by("name")
    raw = request.GET.get("client")
    chosen = current_client(request)
    client_id: int | None = None
    if raw and raw.isdigit():
        client_id = int(raw)
    elif raw is None and chosen is not None:
        client_id = chosen.pk
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    rows = rows.select_related("client", "campaign").prefetch_related("attendees")
    upcoming = list(
        rows.exclude(status=MeetingStatus.DONE).order_by("client__name", "starts_at", "id")
    )
    past = Paginator(
        rows.filter(status=MeetingStatus.DONE).order_by("-starts_at", "-id"), PAST_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "work/meeting_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "clients": clients,
            "client_id": client_id,
            "can_create": bool(manageable_clients(user)),
            "now": timezone.now(),
        },
    )


# --- a new meeting -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require_internal(user)
    clients = [c for c in manageable_clients(user) if c.pk in _internal_ids(user)]
    if not clients:
        raise PermissionDenied(
            "Your role does not allow planning meetings; coordinators, creative, finance and "
            "legal people can."
        )
    client = chosen_client(request, clients)
    if client is None:
        return render(request, "work/meeting_form.html", {"clients": clients, "client": None})
    people = meetings.people_on_client(client.pk)
    initial: dict[str, Any] = {
        "title": f"Weekly status · {client.name}",
        "starts_at": timezone.localtime(next_monday_ten()),
        "duration_minutes": 30,
        "attendees": [user.pk],
    }
    campaign_raw = request.GET.get("campaign", "")
    if campaign_raw.isdigit():
        initial["campaign"] = int(campaign_raw)
    form = MeetingForm(request.POST or None, people=people, client_id=client.pk, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = data.get("campaign")
        try:
            meeting = meetings.create_meeting(
                user,
                client_id=client.pk,
                campaign_id=campaign.pk if campaign else None,
                title=data["title"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                attendees=list(data["attendees"]),
            )
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            messages.success(request, f"Meeting planned: {meeting.title}")
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "work/meeting_form.html",
        {"clients": clients, "client": client, "form": form},
        status=400 if form.errors else 200,
    )


# --- the meeting page ----------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    notes_form: NotesForm | None = None,
    action_form: ActionItemForm | None = None,
    notes_error: str = "",
) -> HttpResponse:
    user: Any = request.user
    refused = bool(notes_error) or any(
        form is not None and form.errors for form in (notes_form, action_form)
    )
    day = services.today()
    may_manage = can(user, Action.MANAGE_WORK, meeting.client_id)
    people = list(meetings.people_on_client(meeting.client_id))
    kinds, tones = _labels()
    items = meetings.action_items(meeting)
    by_key: dict[str, int] = {}
    for task in items:
        if task.attention_key:
            by_key[task.attention_key] = by_key.get(task.attention_key, 0) + 1
    running = meeting.status == MeetingStatus.RUNNING
    given_key = action_form.data.get("agenda_key", "") if action_form is not None else ""
    lines = []
    for index, entry in enumerate(meetings.agenda_of(meeting, day)):
        form = None
        if may_manage and meeting.status != MeetingStatus.PLANNED:
            if action_form is not None and given_key == entry.get("key"):
                form = action_form
            else:
                form = ActionItemForm(
                    people=people,
                    auto_id=f"a{index}_%s",
                    initial={"title": entry.get("title", ""), "agenda_key": entry.get("key"),
                             "owner": entry.get("owner_id")},
                )  # fmt: skip
        due = entry.get("due")
        lines.append(
            {
                "entry": entry,
                "due": date.fromisoformat(due) if due else None,
                "kind_label": kinds.get(str(entry.get("kind")), str(entry.get("kind"))),
                "tone": tones.get(str(entry.get("severity")), "tone-neutral"),
                "overdue": bool(due and due < day.isoformat()),
                "form": form,
                "index": index,
                "actions": by_key.get(str(entry.get("key")), 0),
            }
        )
    general_form = None
    if may_manage and meeting.status != MeetingStatus.PLANNED:
        general_form = (
            action_form
            if action_form is not None and not given_key
            else ActionItemForm(people=people, auto_id="new_%s")
        )
    if notes_form is None:
        notes_form = NotesForm(initial={"notes": meeting.notes, "base": meeting.notes})
    history = None
    if can(user, Action.VIEW_HISTORY, meeting.client_id):
        history = readable_history(
            AuditEvent.objects.for_object(meeting).select_related("actor")[:200], Meeting
        )
    attendees = list(meeting.attendees.order_by("full_name", "email"))
    return render(
        request,
        "work/meeting_detail.html",
        {
            "meeting": meeting,
            "lines": lines,
            "running": running,
            "planned": meeting.status == MeetingStatus.PLANNED,
            "done": meeting.status == MeetingStatus.DONE,
            "may_manage": may_manage,
            "notes_form": notes_form,
            "notes_error": notes_error,
            "general_form": general_form,
            "action_items": items,
            "today": day,
            "attendees": attendees,
            "decisions": meetings.decisions(meeting.notes),
            "sent": meetings.minutes_sent(meeting),
            "history": history,
        },
        status=400 if refused else 200,
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _detail(request, _meeting(request, meeting_id))


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@login_required
@require_POST
def meeting_start(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        meetings.start_meeting(request.user, meeting)
    except (Conflict, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request,
            f"Meeting started; the agenda is kept as it is now ({len(meeting.agenda)} items).",
        )
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def meeting_notes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Save the notes: JSON for the autosave (Accept: application/json), else the page."""
    meeting = _meeting(request, meeting_id)
    form = NotesForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    notes = request.POST.get("notes", "")
    base = request.POST.get("base") if "base" in request.POST else None
    try:
        meetings.save_notes(request.user, meeting, notes, base=base)
    except PermissionDenied as error:
        if wants_json:
            return JsonResponse({"detail": str(error)}, status=403)
        raise
    except Conflict as error:
        current = Meeting.objects.get(pk=meeting.pk).notes
        if wants_json:
            return JsonResponse({"detail": str(error), "notes": current}, status=409)
        # The typed text stays in the box; the next Save replaces the other person's notes.
        form = NotesForm(initial={"notes": notes, "base": current})
        return _detail(request, meeting, notes_form=form, notes_error=str(error))
    saved_at = timezone.localtime()
    if wants_json:
        return JsonResponse(
            {"saved": True, "saved_at": saved_at.isoformat(), "time": f"{saved_at:%H:%M:%S}"}
        )
    messages.success(request, "Notes saved.")
    return redirect(meeting.get_absolute_url() + "#notes")


@login_required
@require_POST
def meeting_action_item(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    key = request.POST.get("agenda_key", "")
    index = next((i for i, e in enumerate(meeting.agenda or []) if e.get("key") == key), None)
    form = ActionItemForm(
        request.POST,
        people=list(meetings.people_on_client(meeting.client_id)),
        auto_id=f"a{index}_%s" if index is not None else "new_%s",
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = meetings.add_action_item(
                request.user,
                meeting,
                title=data["title"],
                owner=data["owner"],
                due=data.get("due"),
                agenda_key=data.get("agenda_key") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error, {})
        except Conflict as error:
            messages.error(request, str(error))
            return redirect(meeting.get_absolute_url())
        else:
            owner = task.owner.display_name if task.owner else "nobody"
            messages.success(request, f"Action item for {owner}: {task.title}")
            return redirect(reverse("work:meeting_detail", args=[meeting.pk]) + "#action-items")
    return _detail(request, meeting, action_form=form)


@login_required
@require_POST
def meeting_finish(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        meetings.finish_meeting(request.user, meeting)
    except (Conflict, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "Meeting finished. Check the minutes, then send them.")
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        result = meetings.send_minutes(request.user, meeting)
    except (Conflict, PermissionDenied, ValidationError) as error:
        messages.error(request, _refusal(error))
    else:
        if result.already_sent:
            messages.info(
                request,
                "These minutes were sent already; nothing was sent again. Change the notes or "
                "the action items to send a new version.",
            )
        else:
            messages.success(request, f"Minutes sent to {', '.join(result.to)}.")
    return redirect(meeting.get_absolute_url() + "#minutes")
