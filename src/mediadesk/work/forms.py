"""Forms of the task and meeting pages. They check the shape of what was typed; the rules (who
may, which owner, which campaign) are the services', shown beside the field."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership
from mediadesk.creative.models import Asset
from mediadesk.finance.models import Invoice
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning.models import Campaign
from mediadesk.work.choices import TaskStatus, TaskSubject

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SUBJECT_CHOICES_PER_KIND = 100  # the most recent ones; others come with ?subject_type=&subject_id=


class Show:
    """The task list's status filter: open (to do or in progress) by default."""

    OPEN = ""
    ANY = "any"
    CHOICES = [
        (OPEN, "Open (to do or in progress)"),
        (TaskStatus.OPEN.value, "To do"),
        (TaskStatus.DOING.value, "In progress"),
        (TaskStatus.DONE.value, "Done"),
        (TaskStatus.CANCELLED.value, "Cancelled"),
        (ANY, "Any status"),
    ]


VIEW_CHOICES = [("mine", "Mine"), ("team", "My team's"), ("all", "Everyone's")]
SORT_CHOICES = [("due", "Due date, soonest first"), ("-due", "Due date, latest first"),
                ("title", "Title, A–Z"), ("-title", "Title, Z–A"),
                ("updated", "Recently changed")]  # fmt: skip


class TaskFilterForm(forms.Form):
    view = forms.ChoiceField(required=False, choices=VIEW_CHOICES, label="Whose")
    client = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    campaign = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(required=False, choices=Show.CHOICES)
    overdue = forms.BooleanField(required=False, label="Overdue only")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, clients: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field: Any = self.fields["client"]
        client_field.choices = [("", "All clients"), *((c.pk, c.name) for c in clients)]
        campaign_field: Any = self.fields["campaign"]
        campaign_field.choices = [
            ("", "All campaigns"),
            *((c.pk, f"{c.name} ({c.code})") for c in campaigns),
        ]


def _person_label(person: Any) -> str:
    return f"{person.display_name} ({person.email})" if person.full_name else person.email


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _person_label(obj)


class CampaignChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


def subject_choices(client_id: int, given: tuple[str, int, str] | None = None) -> list[Any]:
    """The “belongs to” choices of a client: its recent IOs, invoices and assets (the
    campaign is its own field), plus the object a link asked for (a placement, say)."""
    groups: list[Any] = [("", "Only the client or campaign")]
    orders = InsertionOrder.objects.filter(client_id=client_id).order_by("-created_at", "-id")
    invoices = Invoice.objects.filter(client_id=client_id).select_related("vendor")
    assets = Asset.objects.filter(client_id=client_id).order_by("-id")
    groups.append(
        (
            "Insertion orders",
            [(f"io:{o.pk}", f"IO {o.number}") for o in orders[:SUBJECT_CHOICES_PER_KIND]],
        )
    )
    groups.append(
        (
            "Invoices",
            [
                (f"invoice:{i.pk}", f"Invoice {i.number} · {i.vendor.name}")
                for i in invoices.order_by("-id")[:SUBJECT_CHOICES_PER_KIND]
            ],
        )
    )
    groups.append(
        ("Assets", [(f"asset:{a.pk}", a.name) for a in assets[:SUBJECT_CHOICES_PER_KIND]])
    )
    groups = [group for group in groups if not isinstance(group[1], list) or group[1]]
    if given is not None:
        value = f"{given[0]}:{given[1]}"
        known = {v for group in groups[1:] for v, _ in group[1]}
        if value not in known:
            kind = dict(TaskSubject.choices).get(given[0], given[0])
            groups.insert(1, (str(kind), [(value, given[2])]))
    return groups


def parse_subject(value: str) -> tuple[str, int | None]:
    kind, _, raw = value.partition(":")
    if not kind or kind not in TaskSubject.values or not raw.isdigit():
        return "", None
    return kind, int(raw)


class TaskForm(forms.Form):
    """A new task of one client (chosen before the form, so the lists are that client's)."""

    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"autofocus": True}))
    owner = PersonChoiceField(
        queryset=None, required=False, empty_label="Nobody yet", help_text="Who does it."
    )
    due = forms.DateField(required=False, widget=DATE_WIDGET, label="Due")
    campaign = CampaignChoiceField(queryset=None, required=False, empty_label="No campaign")
    belongs = forms.ChoiceField(
        required=False,
        label="Belongs to",
        help_text="The IO, invoice or asset it is about, if any; the task links to it.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(
        self,
        *args: Any,
        people: Any,
        client_id: int,
        given: tuple[str, int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner: Any = self.fields["owner"]
        owner.queryset = people
        campaign: Any = self.fields["campaign"]
        campaign.queryset = Campaign.objects.filter(client_id=client_id).active().order_by("name")
        belongs: Any = self.fields["belongs"]
        belongs.choices = subject_choices(client_id, given)


class TaskEditForm(forms.Form):
    title = forms.CharField(max_length=300)
    owner = PersonChoiceField(queryset=None, required=False, empty_label="Nobody yet")
    due = forms.DateField(required=False, widget=DATE_WIDGET, label="Due")
    status = forms.ChoiceField(choices=TaskStatus.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner: Any = self.fields["owner"]
        owner.queryset = people


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Write @name@example.com to tell someone on the client; they are notified.",
    )


def next_monday_ten() -> datetime:
    """The default start of a new weekly meeting: next Monday (or today if it is one, before
    ten) at 10:00 local time."""
    now = timezone.localtime()
    days = (7 - now.weekday()) % 7
    if days == 0 and now.time() >= time(10):
        days = 7
    day = now.date() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(10)))


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Weekly status")
    campaign = CampaignChoiceField(
        queryset=None,
        required=False,
        empty_label="The whole client",
        help_text="A meeting about one campaign puts only its items and tasks on the agenda.",
    )
    starts_at = forms.DateTimeField(label="Starts", widget=DATETIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=30, widget=forms.NumberInput()
    )
    attendees = PeopleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="People on the client; the minutes go to them by e-mail.",
    )

    def __init__(self, *args: Any, people: Any, client_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attendees: Any = self.fields["attendees"]
        attendees.queryset = people
        reviewers = set(
            Membership.objects.filter(client_id=client_id, role=Role.CLIENT_REVIEWER).values_list(
                "user_id", flat=True
            )
        )
        attendees.label_from_instance = lambda person: (
            _person_label(person) + (" · client" if person.pk in reviewers else "")
        )
        campaign: Any = self.fields["campaign"]
        campaign.queryset = Campaign.objects.filter(client_id=client_id).active().order_by("name")


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Saved as you type. Start a line with “Decision:” to list it under "
        "Decisions in the minutes.",
    )
    base = forms.CharField(required=False, widget=forms.HiddenInput)


class ActionItemForm(forms.Form):
    """An action item. ``people`` is a list (one query for every agenda line's form)."""

    title = forms.CharField(max_length=300, label="Action")
    owner = forms.TypedChoiceField(coerce=int, label="Owner")
    due = forms.DateField(required=False, widget=DATE_WIDGET, label="Due")
    agenda_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        owner: Any = self.fields["owner"]
        owner.choices = [("", "Choose…"), *((p.pk, _person_label(p)) for p in people)]

    def clean_owner(self) -> Any:
        return self.people[self.cleaned_data["owner"]]
