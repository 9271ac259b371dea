"""Task pages: the list (filters, sorting, CSV/XLSX), the board (To do / In progress / Done,
moved by drag and drop, with the keyboard, or with plain buttons), a new task, and one task with
its fields, status, comments and history.

Every change goes through ``work.services``; these views find what the user may see
(``meetings.visible_tasks``: 404 otherwise), turn the services' refusals into sentences beside
the field, and render.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediadesk.accounts.models import Client, visible_client_ids
from mediadesk.accounts.permissions import Action, can, require
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.planning.models import Campaign
from mediadesk.web.context import current_client
from mediadesk.web.exports import Column, export_response
from mediadesk.web.filtering import filter_values
from mediadesk.web.redirects import safe_next
from mediadesk.work import services
from mediadesk.work.choices import TaskStatus, TaskSubject
from mediadesk.work.forms import (
    CommentForm,
    Show,
    TaskEditForm,
    TaskFilterForm,
    TaskForm,
    parse_subject,
)
from mediadesk.work.meetings import people_on_client, visible_meetings, visible_tasks
from mediadesk.work.models import Task, TaskQuerySet

PAGE_SIZE = 50
DONE_ON_BOARD = timedelta(days=14)  # the Done column shows what was finished lately
BOARD_LIMIT = 100  # cards per column
FILTERS = ("view", "client", "campaign", "status", "overdue", "sort")
COLUMNS = [TaskStatus.OPEN, TaskStatus.DOING, TaskStatus.DONE]

EXPORT_COLUMNS = [
    Column("ID", lambda t: t.pk),
    Column("Title", lambda t: t.title),
    Column("Client", lambda t: t.client.name),
    Column("Campaign", lambda t: t.campaign.code if t.campaign else ""),
    Column("Owner", lambda t: t.owner.email if t.owner else ""),
    Column("Due", lambda t: t.due),
    Column("Status", lambda t: t.get_status_display()),
    Column("Belongs to", lambda t: t.subject_label),
    Column("Source", lambda t: t.get_source_display()),
    Column("Created", lambda t: t.created_at),
    Column("Done", lambda t: t.done_at),
    Column("Notes", lambda t: t.notes),
]


# --- what the user may see and do ----------------------------------------------------------------


def _task(request: HttpRequest, task_id: int) -> Task:
    rows = visible_tasks(request.user).select_related(
        "client", "campaign", "owner", "meeting", "created_by"
    )
    task: Task = get_object_or_404(rows, pk=task_id)
    return task


def manageable_clients(user: Any) -> list[Client]:
    """The active clients on which the user may create tasks and meetings."""
    return [
        client
        for client in Client.objects.visible_to(user).active().order_by("name")
        if can(user, Action.MANAGE_WORK, client.pk)
    ]


def chosen_client(request: HttpRequest, clients: list[Client]) -> Client | None:
    """The client a form is for: asked in the form or the address, else the one chosen at the
    top, else the only one."""
    raw = request.POST.get("client") or request.GET.get("client") or ""
    by_id = {client.pk: client for client in clients}
    if raw.isdigit():
        return by_id.get(int(raw))
    chosen = current_client(request)
    if chosen is not None and chosen.pk in by_id:
        return by_id[chosen.pk]
    return clients[0] if len(clients) == 1 else None


def _sentences(error: ValidationError) -> str:
    return " ".join(error.messages)


def add_service_errors(form: Any, error: ValidationError, aliases: dict[str, str]) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            name = aliases.get(field, field)
            form.add_error(name if name in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- the list and the board ----------------------------------------------------------------------


def _filter_form(request: HttpRequest, tasks: TaskQuerySet) -> TaskFilterForm:
    clients = Client.objects.filter(pk__in=visible_client_ids(request.user)).order_by("name")
    data: dict[str, str] = {key: str(request.GET[key]) for key in FILTERS if key in request.GET}
    chosen = current_client(request)
    if "client" not in request.GET and chosen is not None:
        data["client"] = str(chosen.pk)
    if "view" not in data:
        data["view"] = default_view(request.user)
    campaigns = Campaign.objects.visible_to(request.user).filter(
        pk__in=tasks.exclude(campaign__isnull=True).values("campaign_id")
    )
    client_raw = data.get("client", "")
    if client_raw.isdigit():
        campaigns = campaigns.filter(client_id=int(client_raw))
    return TaskFilterForm(data, clients=clients, campaigns=campaigns.order_by("name"))


def default_view(user: Any) -> str:
    """“Mine” for someone with open tasks, else everyone's."""
    return "mine" if visible_tasks(user).open().filter(owner=user).exists() else "all"


def apply_filters(
    user: Any, tasks: TaskQuerySet, values: dict[str, Any], *, with_status: bool = True
) -> TaskQuerySet:
    view = values.get("view") or "all"
    if view == "mine":
        tasks = tasks.filter(owner=user)
    elif view == "team":
        tasks = tasks.filter(owner_id__in=services.team_member_ids(user))
    if values.get("client"):
        tasks = tasks.filter(client_id=values["client"])
    if values.get("campaign"):
        tasks = tasks.filter(campaign_id=values["campaign"])
    if with_status:
        status = values.get("status") or Show.OPEN
        if status == Show.OPEN:
            tasks = tasks.open()
        elif status != Show.ANY:
            tasks = tasks.filter(status=status)
    if values.get("overdue"):
        tasks = tasks.open().filter(due__lt=services.today())
    return tasks


def _sorted(tasks: TaskQuerySet, sort: str) -> QuerySet[Task]:
    if sort == "-due":
        return tasks.order_by(F("due").desc(nulls_last=True), "-id")
    if sort == "title":
        return tasks.order_by("title", "id")
    if sort == "-title":
        return tasks.order_by("-title", "-id")
    if sort == "updated":
        return tasks.order_by("-updated_at", "-id")
    return tasks.order_by(F("due").asc(nulls_last=True), "position", "id")


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    tasks = visible_tasks(user)
    form = _filter_form(request, tasks)
    values, problems = filter_values(form)
    filtered = _sorted(
        apply_filters(user, tasks, values).select_related("client", "campaign", "owner"),
        values.get("sort") or "due",
    )
    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        allowed = [pk for pk in visible_client_ids(user) if can(user, Action.EXPORT, pk)]
        if not allowed:
            raise PermissionDenied("Your role does not allow downloads; ask a coordinator.")
        return export_response(
            export, "tasks", EXPORT_COLUMNS, filtered.filter(client_id__in=allowed)
        )
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    if "view" not in query:
        query["view"] = form.data.get("view", "all")
    today = services.today()
    return render(
        request,
        "work/task_list.html",
        {
            "page": page,
            "form": form,
            "problems": problems,
            "query": query.urlencode(),
            "today": today,
            "view": form.data.get("view"),
            "sort": values.get("sort") or "due",
            "filtered": any(request.GET.get(key) for key in FILTERS if key not in ("view", "sort"))
            or (current_client(request) is not None and "client" not in request.GET),
            "can_export": any(can(user, Action.EXPORT, pk) for pk in visible_client_ids(user)),
            "can_create": bool(manageable_clients(user)),
            "board_query": _board_query(request, form),
        },
    )


def _board_query(request: HttpRequest, form: TaskFilterForm) -> str:
    query = request.GET.copy()
    for name in ("page", "format", "status", "sort"):
        query.pop(name, None)
    if "view" not in query:
        query["view"] = form.data.get("view", "all")
    return query.urlencode()


@login_required
@require_GET
def task_board(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    tasks = visible_tasks(user)
    form = _filter_form(request, tasks)
    values, problems = filter_values(form)
    shown = apply_filters(user, tasks, values, with_status=False).select_related(
        "client", "campaign", "owner"
    )
    since = timezone.now() - DONE_ON_BOARD
    today = services.today()
    manage = {
        client_id
        for client_id in visible_client_ids(user)
        if can(user, Action.MANAGE_WORK, client_id)
    }
    columns = []
    for status in COLUMNS:
        cards = shown.filter(status=status)
        if status == TaskStatus.DONE:
            cards = cards.filter(done_at__gte=since).order_by("-done_at", "-id")
        else:
            cards = cards.order_by(F("due").asc(nulls_last=True), "position", "id")
        listed = list(cards[: BOARD_LIMIT + 1])
        columns.append(
            {
                "status": status.value,
                "label": status.label,
                "cards": [
                    {
                        "task": task,
                        "manage": task.client_id in manage,
                        "overdue": bool(task.due and task.due < today and task.is_open),
                    }
                    for task in listed[:BOARD_LIMIT]
                ],
                "more": len(listed) > BOARD_LIMIT,
            }
        )
    return render(
        request,
        "work/task_board.html",
        {
            "columns": columns,
            "moves": [(status.value, status.label) for status in COLUMNS],
            "form": form,
            "problems": problems,
            "query": _board_query(request, form),
            "view": form.data.get("view"),
            "can_create": bool(manage),
        },
    )


@login_required
@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    """Move a task to another status (the board's buttons, drag and drop, arrow keys)."""
    task = _task(request, task_id)
    status = request.POST.get("status", "")
    try:
        services.set_task_status(request.user, task, status)
    except (ValidationError, PermissionDenied) as error:
        text = _sentences(error) if isinstance(error, ValidationError) else str(error)
        if _wants_json(request):
            code = 422 if isinstance(error, ValidationError) else 403
            return JsonResponse({"detail": text}, status=code)
        messages.error(request, text)
    else:
        label = task.get_status_display()
        if _wants_json(request):
            return JsonResponse({"id": task.pk, "status": task.status, "status_label": label})
        messages.success(request, f"“{task.title}” is now {label.lower()}.")
    return redirect(safe_next(request, task.get_absolute_url()))


# --- a new task ------------------------------------------------------------------------------


def _given_subject(request: HttpRequest, client_id: int) -> tuple[str, int, str] | None:
    """The object a link asked the task to belong to (?subject_type=placement&subject_id=12),
    when it is one of the client's."""
    params = request.POST if request.method == "POST" else request.GET
    kind, raw = params.get("subject_type", ""), params.get("subject_id", "")
    if kind not in TaskSubject.values or not raw.isdigit():
        return None
    try:
        subject = services.resolve_subject(client_id, kind, int(raw))
    except ValidationError:
        return None
    return (subject.kind, subject.id, subject.label)


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    clients = manageable_clients(user)
    if not clients:
        raise PermissionDenied(
            "Your role does not allow creating tasks; coordinators, creative, finance and "
            "legal people can."
        )
    client = chosen_client(request, clients)
    if client is None:
        return render(request, "work/task_form.html", {"clients": clients, "client": None})
    people = people_on_client(client.pk)
    given = _given_subject(request, client.pk)
    initial: dict[str, Any] = {"owner": user.pk, "title": request.GET.get("title", "")}
    if given is not None:
        initial["belongs"] = f"{given[0]}:{given[1]}"
    campaign_raw = request.GET.get("campaign", "")
    if campaign_raw.isdigit():
        initial["campaign"] = int(campaign_raw)
    form = TaskForm(
        request.POST or None, people=people, client_id=client.pk, given=given, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, object_id = parse_subject(data.get("belongs") or "")
        campaign = data.get("campaign")
        try:
            task = services.create_task(
                user,
                client_id=client.pk,
                title=data["title"],
                owner=data.get("owner"),
                due=data.get("due"),
                notes=data.get("notes") or "",
                campaign_id=campaign.pk if campaign else None,
                subject_type=kind,
                subject_id=object_id,
            )
        except ValidationError as error:
            add_service_errors(
                form,
                error,
                {"subject": "belongs", "subject_type": "belongs", "subject_id": "belongs"},
            )
        else:
            messages.success(request, f"Task created: {task.title}")
            return redirect(task.get_absolute_url())
    return render(
        request,
        "work/task_form.html",
        {"clients": clients, "client": client, "form": form, "given": given},
        status=400 if form.errors else 200,
    )


# --- one task --------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    task: Task,
    *,
    form: TaskEditForm | None = None,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    refused = any(f is not None and f.errors for f in (form, comment_form))
    may_edit = can(user, Action.MANAGE_WORK, task.client_id)
    internal = can(user, Action.VIEW_ALL_CAMPAIGNS, task.client_id)
    if may_edit and form is None:
        form = TaskEditForm(
            people=people_on_client(task.client_id),
            initial={"title": task.title, "owner": task.owner_id, "due": task.due,
                     "status": task.status, "notes": task.notes},
        )  # fmt: skip
    history = None
    if can(user, Action.VIEW_HISTORY, task.client_id):
        events = AuditEvent.objects.for_object(task).select_related("actor")[:200]
        history = readable_history(events, Task)
    meeting = None
    if task.meeting_id is not None:
        meeting = visible_meetings(user).filter(pk=task.meeting_id).first()
    return render(
        request,
        "work/task_detail.html",
        {
            "task": task,
            "form": form if may_edit else None,
            "comment_form": comment_form or CommentForm(),
            "comments": task.comments.select_related("author").prefetch_related("mentions"),
            "history": history,
            "meeting": meeting,
            "internal": internal,
            "overdue": bool(task.due and task.due < services.today() and task.is_open),
            "moves": [(s.value, s.label) for s in TaskStatus if s != task.status],
            "may_edit": may_edit,
        },
        status=400 if refused else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    if request.method == "GET":
        return _detail(request, task)
    require(request.user, Action.MANAGE_WORK, task.client_id)
    form = TaskEditForm(request.POST, people=people_on_client(task.client_id))
    if form.is_valid():
        data = form.cleaned_data
        values = {name: data.get(name) for name in ("title", "owner", "due", "status")}
        values["notes"] = data.get("notes") or ""
        try:
            services.update_task(request.user, task, values)
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            messages.success(request, "Task saved.")
            return redirect(task.get_absolute_url())
    return _detail(request, task, form=form)


@login_required
@require_POST
def task_comment(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_on_task(request.user, task, form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            told = comment.mentions.count()
            extra = (
                f" {told} mentioned {'person was' if told == 1 else 'people were'} notified."
                if told
                else ""
            )
            messages.success(request, f"Comment added.{extra}")
            return redirect(reverse("work:task_detail", args=[task.pk]) + "#comments")
    return _detail(request, task, comment_form=form)
