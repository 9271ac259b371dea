"""Tasks and weekly meetings over the API.

Tasks: list (filters), create, one task with its comments, change it, comment on it. Meetings:
list, plan one, one meeting with its agenda (live before the start, frozen after), start, notes,
action items (they become tasks), finish, and the minutes e-mailed to the attendees.

What the user sees is what the pages show: a client reviewer sees only the tasks they own on
campaigns shared with the client (or on no campaign), and no meetings.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import Client
from mediadesk.work import meetings, services
from mediadesk.work.choices import MeetingStatus, TaskSource, TaskStatus, TaskSubject
from mediadesk.work.models import Meeting, Task, TaskComment

router = Router(tags=["tasks and meetings"])


# --- shapes -------------------------------------------------------------------------------------


def person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "email": user.email}


class PersonOut(Schema):
    id: int
    name: str
    email: str


class ClientRef(Schema):
    id: int
    name: str


class ObjectRef(Schema):
    type: TaskSubject
    id: int
    label: str
    url: str


class CommentOut(Schema):
    id: int
    author: PersonOut
    body: str
    mentions: list[PersonOut]
    created_at: datetime

    @staticmethod
    def resolve_author(obj: TaskComment) -> dict[str, Any] | None:
        return person(obj.author)

    @staticmethod
    def resolve_mentions(obj: TaskComment) -> list[dict[str, Any] | None]:
        return [person(p) for p in obj.mentions.all()]


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    client: ClientRef
    campaign: int | None = Field(validation_alias="campaign_id")
    owner: PersonOut | None
    due: date | None
    status: TaskStatus
    overdue: bool
    object: ObjectRef | None
    source: TaskSource
    meeting: int | None = Field(validation_alias="meeting_id")
    attention_key: str
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    url: str

    @staticmethod
    def resolve_client(obj: Task) -> dict[str, Any]:
        return {"id": obj.client_id, "name": obj.client.name}

    @staticmethod
    def resolve_owner(obj: Task) -> dict[str, Any] | None:
        return person(obj.owner)

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return bool(obj.due and obj.is_open and obj.due < services.today())

    @staticmethod
    def resolve_object(obj: Task) -> dict[str, Any] | None:
        if not obj.subject_type or obj.subject_id is None:
            return None
        return {"type": obj.subject_type, "id": obj.subject_id, "label": obj.subject_label,
                "url": obj.subject_url}  # fmt: skip

    @staticmethod
    def resolve_url(obj: Task) -> str:
        return obj.get_absolute_url()


class TaskDetailOut(TaskOut):
    comments: list[CommentOut]

    @staticmethod
    def resolve_comments(obj: Task) -> list[TaskComment]:
        return list(obj.comments.select_related("author").prefetch_related("mentions"))


class TaskFilters(Schema):
    client: int | None = None
    campaign: int | None = None
    owner: str | None = Field(None, description="A user id, or `me`.")
    status: TaskStatus | None = Field(None, description="Default: every status.")
    open: bool | None = Field(None, description="true: only `open` (to do) and `doing`.")
    overdue: bool = Field(False, description="Only open tasks due before today.")
    view: Literal["all", "mine", "team"] = "all"


class TaskIn(Schema):
    client: int
    title: str
    owner: int | None = Field(None, description="A person working on the client.")
    due: date | None = None
    notes: str = ""
    campaign: int | None = None
    subject_type: TaskSubject | None = Field(None, description="What the task belongs to.")
    subject_id: int | None = None


class TaskPatch(Schema):
    title: str | None = None
    notes: str | None = None
    owner: int | None = None
    due: date | None = None
    status: TaskStatus | None = None


class CommentIn(Schema):
    body: str = Field(description="`@name@example.com` notifies that person.")


class AgendaLineOut(Schema):
    key: str
    kind: str
    severity: str
    title: str
    url: str
    due: date | None
    owner: str
    owner_id: int | None
    campaign_id: int | None
    subject_type: str
    subject_id: int | None
    task_id: int | None


class MinutesMailOut(Schema):
    to: list[str]
    status: str
    queued_at: datetime = Field(validation_alias="created_at")
    sent_at: datetime | None


class MeetingOut(Schema):
    id: int
    title: str
    client: ClientRef
    campaign: int | None = Field(validation_alias="campaign_id")
    starts_at: datetime
    duration_minutes: int
    status: MeetingStatus
    attendees: list[PersonOut]
    minutes_sent_at: datetime | None
    url: str

    @staticmethod
    def resolve_client(obj: Meeting) -> dict[str, Any]:
        return {"id": obj.client_id, "name": obj.client.name}

    @staticmethod
    def resolve_attendees(obj: Meeting) -> list[dict[str, Any] | None]:
        return [person(p) for p in obj.attendees.all()]

    @staticmethod
    def resolve_url(obj: Meeting) -> str:
        return obj.get_absolute_url()


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaLineOut]
    agenda_frozen: bool
    notes: str
    decisions: list[str]
    action_items: list[TaskOut]
    minutes: list[MinutesMailOut]

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[dict[str, Any]]:
        return meetings.agenda_of(obj)

    @staticmethod
    def resolve_agenda_frozen(obj: Meeting) -> bool:
        return obj.status != MeetingStatus.PLANNED

    @staticmethod
    def resolve_decisions(obj: Meeting) -> list[str]:
        return meetings.decisions(obj.notes)

    @staticmethod
    def resolve_action_items(obj: Meeting) -> list[Task]:
        return list(
            Task.objects.filter(meeting=obj)
            .select_related("client", "owner")
            .order_by("created_at", "id")
        )

    @staticmethod
    def resolve_minutes(obj: Meeting) -> list[Any]:
        return meetings.minutes_sent(obj)


class MeetingFilters(Schema):
    client: int | None = None
    campaign: int | None = None
    status: MeetingStatus | None = None


class MeetingIn(Schema):
    client: int
    campaign: int | None = None
    title: str = "Weekly status"
    starts_at: datetime
    duration_minutes: int = 30
    attendees: list[int] = Field(
        default_factory=list, description="People working on the client; by default just you."
    )


class NotesIn(Schema):
    notes: str
    base: str | None = Field(
        None,
        description="The notes as you last read them: 409 instead of overwriting when someone "
        "else changed them since. Leave out to replace whatever is there.",
    )


class ActionItemIn(Schema):
    owner: int
    title: str = Field("", description="By default the agenda line's title.")
    due: date | None = None
    agenda_key: str = Field("", description="The agenda line it comes from, if any.")


class MinutesOut(Schema):
    version: str
    to: list[str]
    already_sent: bool = Field(description="true: these minutes went out before; nothing new.")
    messages: list[MinutesMailOut]


# --- tasks --------------------------------------------------------------------------------------


def _tasks(request: HttpRequest) -> QuerySet[Task]:
    return meetings.visible_tasks(request.user).select_related("client", "owner")


def _task(request: HttpRequest, task_id: int) -> Task:
    task: Task = get_object_or_404(_tasks(request), pk=task_id)
    return task


def _owner_id(raw: str | None, request: HttpRequest) -> int | None:
    if raw is None or raw == "":
        return None
    if raw == "me":
        user: Any = request.user
        return int(user.pk)
    if raw.isdigit():
        return int(raw)
    raise ValidationError({"owner": ["Give a user id or `me`."]})


@router.get("/tasks", response=list[TaskOut], summary="List tasks")
@paginate(LimitOffsetPagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> QuerySet[Task]:
    user: Any = request.user
    tasks = meetings.visible_tasks(user)
    if filters.view == "mine":
        tasks = tasks.filter(owner=user)
    elif filters.view == "team":
        tasks = tasks.filter(owner_id__in=services.team_member_ids(user))
    if filters.client is not None:
        tasks = tasks.filter(client_id=filters.client)
    if filters.campaign is not None:
        tasks = tasks.filter(campaign_id=filters.campaign)
    owner_id = _owner_id(filters.owner, request)
    if owner_id is not None:
        tasks = tasks.filter(owner_id=owner_id)
    if filters.status is not None:
        tasks = tasks.filter(status=filters.status)
    if filters.open:
        tasks = tasks.open()
    if filters.overdue:
        tasks = tasks.open().filter(due__lt=services.today())
    return tasks.select_related("client", "owner").order_by(F("due").asc(nulls_last=True), "id")


@router.post("/tasks", response={201: TaskDetailOut}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Task]:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=payload.client)
    owner = meetings.person_on_client(client.pk, payload.owner)
    made = services.create_task(
        request.user,
        client_id=client.pk,
        title=payload.title,
        owner=owner,
        due=payload.due,
        notes=payload.notes,
        campaign_id=payload.campaign,
        subject_type=payload.subject_type or "",
        subject_id=payload.subject_id,
    )
    return Status(201, _task(request, made.pk))


@router.get("/tasks/{task_id}", response=TaskDetailOut, summary="One task with its comments")
def get_task(request: HttpRequest, task_id: int) -> Task:
    return _task(request, task_id)


@router.patch(
    "/tasks/{task_id}",
    response=TaskDetailOut,
    summary="Change a task: title, notes, owner, due date or status",
)
def patch_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    task = _task(request, task_id)
    data = payload.model_dump(exclude_unset=True)
    if "owner" in data:
        data["owner"] = meetings.person_on_client(task.client_id, data["owner"])
    if "title" in data and data["title"] is None:
        raise ValidationError({"title": ["Give the task a title."]})
    if "status" in data and data["status"] is None:
        raise ValidationError({"status": ["Give a status."]})
    if data.get("notes") is None and "notes" in data:
        data["notes"] = ""
    services.update_task(request.user, task, data)
    return _task(request, task_id)


@router.post(
    "/tasks/{task_id}/comments",
    response={201: CommentOut},
    summary="Comment on a task (mentions notify)",
)
def comment(request: HttpRequest, task_id: int, payload: CommentIn) -> Status[TaskComment]:
    task = _task(request, task_id)
    made = services.comment_on_task(request.user, task, payload.body)
    return Status(201, made)


# --- meetings -----------------------------------------------------------------------------------


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    rows = meetings.visible_meetings(request.user).select_related("client", "campaign")
    meeting: Meeting = get_object_or_404(rows.prefetch_related("attendees"), pk=meeting_id)
    return meeting


@router.get("/meetings", response=list[MeetingOut], summary="List meetings")
@paginate(LimitOffsetPagination)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> QuerySet[Meeting]:
    rows = meetings.visible_meetings(request.user)
    if filters.client is not None:
        rows = rows.filter(client_id=filters.client)
    if filters.campaign is not None:
        rows = rows.filter(campaign_id=filters.campaign)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    return rows.select_related("client").prefetch_related("attendees").order_by("-starts_at", "-id")


@router.post("/meetings", response={201: MeetingDetailOut}, summary="Plan a meeting")
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=payload.client)
    user: Any = request.user
    ids = payload.attendees or [int(user.pk)]
    people = [meetings.person_on_client(client.pk, pk, "attendees") for pk in ids]
    made = meetings.create_meeting(
        request.user,
        client_id=client.pk,
        campaign_id=payload.campaign,
        title=payload.title,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        attendees=people,
    )
    return Status(201, _meeting(request, made.pk))


@router.get(
    "/meetings/{meeting_id}",
    response=MeetingDetailOut,
    summary="One meeting: agenda, notes, action items, minutes sent",
)
def get_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return _meeting(request, meeting_id)


@router.post(
    "/meetings/{meeting_id}/start",
    response=MeetingDetailOut,
    summary="Start the meeting (freezes the agenda)",
)
def start(request: HttpRequest, meeting_id: int) -> Meeting:
    meetings.start_meeting(request.user, _meeting(request, meeting_id))
    return _meeting(request, meeting_id)


@router.put("/meetings/{meeting_id}/notes", response=MeetingDetailOut, summary="Save the notes")
def put_notes(request: HttpRequest, meeting_id: int, payload: NotesIn) -> Meeting:
    meetings.save_notes(
        request.user, _meeting(request, meeting_id), payload.notes, base=payload.base
    )
    return _meeting(request, meeting_id)


@router.post(
    "/meetings/{meeting_id}/action-items",
    response={201: TaskOut},
    summary="Add an action item (a task with an owner)",
)
def add_action_item(request: HttpRequest, meeting_id: int, payload: ActionItemIn) -> Status[Task]:
    meeting = _meeting(request, meeting_id)
    owner = meetings.person_on_client(meeting.client_id, payload.owner)
    made = meetings.add_action_item(
        request.user,
        meeting,
        title=payload.title,
        owner=owner,
        due=payload.due,
        agenda_key=payload.agenda_key,
    )
    return Status(201, _task(request, made.pk))


@router.post(
    "/meetings/{meeting_id}/finish", response=MeetingDetailOut, summary="Finish the meeting"
)
def finish(request: HttpRequest, meeting_id: int) -> Meeting:
    meetings.finish_meeting(request.user, _meeting(request, meeting_id))
    return _meeting(request, meeting_id)


@router.post(
    "/meetings/{meeting_id}/minutes",
    response=MinutesOut,
    summary="E-mail the minutes to the attendees (once per version)",
)
def send_minutes(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    result = meetings.send_minutes(request.user, _meeting(request, meeting_id))
    return {
        "version": result.version,
        "to": result.to,
        "already_sent": result.already_sent,
        "messages": result.messages,
    }
