"""Compliance pages: the rule sets (list, a form per rule, YAML/JSON export and import, history),
a client's regulated categories, the check page where copy is linted as it is typed, a
campaign's compliance (every finding of its placements and creative, the overrides, the review
decisions; as a page, XLSX and PDF), and the legal role's overrides.

Compliance is the agency's internal work: a client reviewer finds none of these pages (404), as
with delivery and orders. Every change goes through ``compliance.services``; these views find
what the user may see (404 otherwise), turn the services' refusals into sentences beside the
field or the rule's row, and render. Findings are computed when a page asks (``services``),
never stored.
"""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Brand, Client, Organization
from mediadesk.accounts.permissions import Action, can, is_org_admin, require, roles_by_client
from mediadesk.audit.models import AuditEvent
from mediadesk.audit.presenters import readable_history
from mediadesk.compliance import services
from mediadesk.compliance.choices import Category
from mediadesk.compliance.forms import (
    COPY_INPUTS,
    KINDS,
    LONG_INPUTS,
    CategoriesForm,
    CheckForm,
    ImportForm,
    NewImportForm,
    OverrideForm,
    RuleRow,
    RuleSetForm,
    blank_row,
    channel_label,
    describe_rule,
    describe_when,
    rule_rows,
)
from mediadesk.compliance.models import ComplianceProfile, Override, RuleSet, RuleSetQuerySet
from mediadesk.creative.models import Asset, AssetVersion, ReviewStage
from mediadesk.domain.rules import Finding, Subject, parse_rule_set, rule_set_data
from mediadesk.errors import Conflict
from mediadesk.ingest.rulefile import RuleFileError, dump_rule_set, read_rule_file
from mediadesk.planning.models import Campaign, Placement
from mediadesk.web.context import current_client
from mediadesk.web.exports import XLSX_TYPE, Column, export_response, neutralize
from mediadesk.web.redirects import safe_next

STARTER_NOTE = "Starting point — review with counsel, not legal advice"
SEVERITY_TONES = {"blocking": "bad", "warning": "warn", "info": "info"}
SEVERITY_LABELS = {"blocking": "Blocking", "warning": "Warning", "info": "Info"}
EXPORT_TYPES = {"yaml": "application/yaml; charset=utf-8", "json": "application/json"}
EMPTY_RULES: dict[str, Any] = {"version": 1, "rules": []}


# --- Who may see and do what ------------------------------------------------------------------


def _internal_ids(request: HttpRequest) -> list[int]:
    """Clients on which the user works internally (client reviewers have none here)."""
    return [
        pk for pk in roles_by_client(request.user)
        if can(request.user, Action.VIEW_ALL_CAMPAIGNS, pk)
    ]  # fmt: skip


def _require_internal(request: HttpRequest) -> list[int]:
    ids = _internal_ids(request)
    if not ids and not is_org_admin(request.user):
        raise Http404("Compliance is internal work.")
    return ids


def everyone_allowed(user: Any) -> bool:
    """Whether the user keeps rule sets for every client: org admins and the legal role."""
    return is_org_admin(user) or any(role == Role.LEGAL for role in roles_by_client(user).values())


def _manageable_clients(request: HttpRequest) -> list[Client]:
    ids = [pk for pk in roles_by_client(request.user)
           if can(request.user, Action.MANAGE_RULES, pk)]  # fmt: skip
    return list(Client.objects.filter(pk__in=ids).active().order_by("name"))


def may_manage(user: Any, rule_set: RuleSet) -> bool:
    if rule_set.client_id is None:
        return everyone_allowed(user)
    return can(user, Action.MANAGE_RULES, rule_set.client_id)


def _require_manage(user: Any, rule_set: RuleSet) -> None:
    """403 with a sentence naming who may change the rule set."""
    if rule_set.client_id is not None:
        require(user, Action.MANAGE_RULES, rule_set.client_id)
    elif not everyone_allowed(user):
        raise PermissionDenied(
            "Rule sets for every client are kept by organization admins and the legal role."
        )


def _rule_sets(request: HttpRequest) -> RuleSetQuerySet:
    ids = _require_internal(request)
    return RuleSet.objects.visible_to(request.user).filter(
        Q(client__isnull=True) | Q(client_id__in=ids)
    )


def _rule_set(request: HttpRequest, rule_set_id: int) -> RuleSet:
    rule_set: RuleSet = get_object_or_404(
        _rule_sets(request).select_related("client", "brand", "updated_by", "organization"),
        pk=rule_set_id,
    )
    return rule_set


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign the user sees and works on internally; 404 otherwise (never 403)."""
    campaign: Campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("client__organization", "brand"),
        pk=campaign_id,
    )
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, campaign.client_id):
        raise Http404("Compliance of a campaign is internal work.")
    return campaign


def _client(request: HttpRequest, client_id: int) -> Client:
    client: Client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, client.pk):
        raise Http404("Compliance settings are internal work.")
    return client


def _organization(request: HttpRequest) -> Organization:
    organization = getattr(request.user, "organization", None)
    if organization is None:
        raise Http404("Rule sets belong to an organization.")
    assert isinstance(organization, Organization)
    return organization


def _sentences(error: ValidationError) -> str:
    return " ".join(error.messages)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- Words for rules and scopes ------------------------------------------------------------


def scope_label(rule_set: RuleSet) -> str:
    if rule_set.client_id is None:
        return "Every client"
    assert rule_set.client is not None
    if rule_set.brand_id is not None and rule_set.brand is not None:
        return f"{rule_set.client.name} · {rule_set.brand.name}"
    return rule_set.client.name


@dataclass
class RuleLine:
    number: int
    rule: Mapping[str, Any]
    description: str
    when: str

    @property
    def severity(self) -> str:
        return str(self.rule.get("severity", "warning"))

    @property
    def tone(self) -> str:
        return SEVERITY_TONES.get(self.severity, "neutral")


def rule_lines(data: Any) -> list[RuleLine]:
    rules = data.get("rules", []) if isinstance(data, Mapping) else []
    return [
        RuleLine(n, rule, describe_rule(rule), describe_when(rule))
        for n, rule in enumerate(rules, start=1)
        if isinstance(rule, Mapping)
    ]


# --- Starter packs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pack:
    key: str
    name: str
    description: str
    rules: dict[str, Any]

    @property
    def rule_count(self) -> int:
        return len(self.rules.get("rules", []))


def starter_packs() -> list[Pack]:
    """The starter packs of ``domain.rule_packs``, as the pages show them."""
    from mediadesk.domain.rule_packs import starter_packs as packs

    return [
        Pack(key=pack.key, name=pack.name, description=pack.note, rules=pack.rules)
        for pack in packs().values()
    ]


def _pack(key: str) -> Pack | None:
    return next((pack for pack in starter_packs() if pack.key == key), None)


# --- Rule sets: the list -------------------------------------------------------------------


RULE_SET_COLUMNS = [
    Column("ID", lambda r: r.pk),
    Column("Name", lambda r: r.name),
    Column("For", scope_label),
    Column("Markets", lambda r: ", ".join(r.markets) or "every market"),
    Column("Channels", lambda r: ", ".join(channel_label(c) for c in r.channels) or "every"),
    Column("Rules", lambda r: r.rule_count),
    Column("Revision", lambda r: r.revision),
    Column("Starter pack", lambda r: r.starter),
    Column("Updated", lambda r: r.updated_at),
    Column("Updated by", lambda r: r.updated_by.display_name if r.updated_by else ""),
    Column("Archived", lambda r: r.archived_at),
]


@login_required
@require_GET
def rule_set_list(request: HttpRequest) -> HttpResponse:
    sets = _rule_sets(request).select_related("client", "brand", "updated_by")
    show_archived = request.GET.get("archived") == "1"
    if not show_archived:
        sets = sets.active()
    chosen = current_client(request)
    if chosen is not None and chosen.pk in _internal_ids(request):
        sets = sets.filter(Q(client__isnull=True) | Q(client=chosen))
    sets = sets.order_by("client__name", "name", "id")
    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        return export_response(export, "rule-sets", RULE_SET_COLUMNS, list(sets))
    rows = list(sets)
    manageable = _manageable_clients(request)
    return render(
        request,
        "compliance/rule_set_list.html",
        {
            "rows": [(r, may_manage(request.user, r)) for r in rows],
            "show_archived": show_archived,
            "archived_count": _rule_sets(request).filter(archived_at__isnull=False).count(),
            "may_create": bool(manageable) or everyone_allowed(request.user),
            "packs": starter_packs(),
            "chosen": chosen,
            "starter_note": STARTER_NOTE,
            "category_clients": list(
                Client.objects.filter(pk__in=_internal_ids(request)).active().order_by("name")
            ),
        },
    )


# --- Rule sets: the editor -----------------------------------------------------------------


class _Refused(Exception):
    """The rules could not be read; the form carries the message."""


def _form(
    request: HttpRequest, data: Any = None, *, initial: Mapping[str, Any] | None = None,
    rule_set: RuleSet | None = None,
) -> RuleSetForm:  # fmt: skip
    clients = _manageable_clients(request)
    if rule_set is not None and rule_set.client is not None and rule_set.client not in clients:
        clients = [rule_set.client, *clients]
    brands = (
        Brand.objects.filter(client__in=clients)
        .select_related("client")
        .order_by("client__name", "name")
    )
    return RuleSetForm(
        data,
        initial=initial,
        clients=clients,
        brands=list(brands),
        everyone=everyone_allowed(request.user) or (rule_set is not None and not rule_set.client),
    )


def _rules_sent(form: RuleSetForm) -> tuple[Any, bool]:
    """The rules as sent: (data, whether from the editor's rows). Raises _Refused."""
    data = form.cleaned_data
    if data.get("editor") == "rows":
        try:
            return json.loads(data.get("rules_json") or ""), True
        except ValueError:
            form.add_error(None, "The rules could not be read from the page; send them again.")
            raise _Refused from None
    text = str(data.get("rules_text") or "")
    if not text.strip():
        return dict(EMPTY_RULES), False
    name = "rules.json" if text.lstrip().startswith(("{", "[")) else "rules.yaml"
    try:
        return rule_set_data(read_rule_file(text, name)), False
    except RuleFileError as exc:
        message = str(exc).removeprefix(name).strip()
        form.add_error("rules_text", message[:1].upper() + message[1:])
        raise _Refused from None


def _scope_objects(
    request: HttpRequest, form: RuleSetForm, rule_set: RuleSet | None
) -> tuple[Client | None, Brand | None]:
    client_id = form.cleaned_data.get("client")
    allowed = {c.pk: c for c in _manageable_clients(request)}
    if rule_set is not None and rule_set.client is not None:
        allowed.setdefault(rule_set.client.pk, rule_set.client)
    client = allowed.get(client_id) if client_id else None
    brand_id = form.cleaned_data.get("brand")
    brand = Brand.objects.filter(pk=brand_id, client_id__in=list(allowed)).first() if (
        brand_id
    ) else None  # fmt: skip
    return client, brand


@dataclass
class Editor:
    """What the editor shows: the rows, refusals of no row, the blank row to clone."""

    rows: list[RuleRow]
    general: list[str] = field(default_factory=list)
    blank: RuleRow = field(default_factory=blank_row)
    kinds: Sequence[Any] = KINDS

    @property
    def count(self) -> int:
        return len(self.rows)


def _save(
    request: HttpRequest, form: RuleSetForm, rule_set: RuleSet | None, starter: str = ""
) -> tuple[RuleSet | None, Editor | None]:
    """Save the rule set; on a refusal, the editor with the rows as sent and the messages."""
    try:
        data, from_rows = _rules_sent(form)
    except _Refused:
        return None, None
    client, brand = _scope_objects(request, form, rule_set)
    values = form.cleaned_data
    organization = _organization(request)
    try:
        saved = services.save_rule_set(
            request.user,
            organization=organization,
            name=values["name"],
            rules=data,
            client=client,
            brand=brand,
            markets=form.market_codes(),
            channels=values.get("channels") or [],
            description=values.get("description") or "",
            rule_set=rule_set,
            starter=starter,
        )
    except ValidationError as exc:
        problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        rule_errors = problems.pop("rules", [])
        for name, texts in problems.items():
            form.add_error(name if name in form.fields else None, texts)
        if not from_rows:
            if rule_errors:
                form.add_error("rules_text", rule_errors)
            return None, None
        rows, general = rule_rows(data, rule_errors)
        return None, Editor(rows=rows, general=general)
    return saved, None


def _editor_for(data: Any) -> Editor:
    rows, general = rule_rows(data)
    return Editor(rows=rows, general=general)


def _history(rule_set: RuleSet) -> list[Any]:
    events = AuditEvent.objects.for_object(rule_set).select_related("actor")[:200]
    return readable_history(events, RuleSet)


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_new(request: HttpRequest) -> HttpResponse:
    """A new rule set from scratch or from a starter pack (``?starter=us``)."""
    _require_creator(request)
    starter_key = request.POST.get("starter") or request.GET.get("starter") or ""
    pack = _pack(starter_key) if starter_key else None
    if starter_key and pack is None:
        raise Http404("No such starter pack.")
    rules = pack.rules if pack else EMPTY_RULES
    chosen = current_client(request)
    initial: dict[str, Any] = {
        "name": pack.name if pack else "",
        "rules_text": dump_rule_set(parse_rule_set(rules), "yaml"),
    }
    if chosen is not None and chosen in _manageable_clients(request):
        initial["client"] = chosen.pk
    form = _form(request, request.POST or None, initial=initial)
    editor = _editor_for(rules)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            saved, refused = _save(request, form, None, starter=pack.key if pack else "")
            if saved is not None:
                messages.success(
                    request,
                    f"Rule set “{saved.name}” saved with {saved.rule_count} "
                    f"rule{'s' if saved.rule_count != 1 else ''}."
                    + (f" {STARTER_NOTE}." if pack else ""),
                )
                return redirect(saved)
            if refused is not None:
                editor = refused
    return render(
        request,
        "compliance/rule_set_form.html",
        {
            "form": form,
            "editor": editor,
            "pack": pack,
            "starter_note": STARTER_NOTE,
            "import_form": _new_import_form(request),
            "packs": starter_packs(),
        },
        status=status,
    )


def _require_creator(request: HttpRequest) -> None:
    """404 for client reviewers; 403 with a sentence for people who keep no rule set."""
    _require_internal(request)
    if not (_manageable_clients(request) or everyone_allowed(request.user)):
        raise PermissionDenied(
            "Your role does not allow this (maintain the client's compliance rule sets); it "
            "needs one of: client admin, legal."
        )


def _new_import_form(request: HttpRequest, data: Any = None, files: Any = None) -> NewImportForm:
    return NewImportForm(
        data, files, clients=_manageable_clients(request),
        everyone=everyone_allowed(request.user),
    )  # fmt: skip


def _export(rule_set: RuleSet, fmt: str) -> HttpResponse:
    text = services.export_rule_set(rule_set, fmt)
    response = HttpResponse(text, content_type=EXPORT_TYPES[fmt])
    name = f"{slugify(rule_set.name) or 'rule-set'}-r{rule_set.revision}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


def _detail(
    request: HttpRequest,
    rule_set: RuleSet,
    *,
    form: RuleSetForm | None = None,
    editor: Editor | None = None,
    import_form: ImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manage = may_manage(request.user, rule_set) and rule_set.archived_at is None
    if manage and form is None:
        form = _form(
            request,
            initial={
                "name": rule_set.name,
                "description": rule_set.description,
                "client": rule_set.client_id,
                "brand": rule_set.brand_id,
                "markets": ", ".join(rule_set.markets),
                "channels": list(rule_set.channels),
                "rules_text": services.export_rule_set(rule_set, "yaml"),
            },
            rule_set=rule_set,
        )
    return render(
        request,
        "compliance/rule_set_detail.html",
        {
            "rule_set": rule_set,
            "scope": scope_label(rule_set),
            "channels": [channel_label(c) for c in rule_set.channels],
            "manage": manage,
            "form": form if manage else None,
            "editor": (editor or _editor_for(rule_set.rules)) if manage else None,
            "lines": rule_lines(rule_set.rules),
            "import_form": (import_form or ImportForm()) if manage else None,
            "history": _history(rule_set),
            "starter_note": STARTER_NOTE,
            "submit": f"Save as revision {rule_set.revision + 1}",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_detail(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    """One rule set: its rules as a form (or read-only), export, import, history."""
    rule_set = _rule_set(request, rule_set_id)
    fmt = request.GET.get("format")
    if request.method == "GET" and fmt:
        if fmt not in EXPORT_TYPES:
            raise Http404("Export a rule set as YAML or JSON.")
        return _export(rule_set, fmt)
    if request.method == "GET":
        return _detail(request, rule_set)
    _require_manage(request.user, rule_set)
    if rule_set.archived_at is not None:
        messages.error(request, f"“{rule_set.name}” is archived; it cannot be changed.")
        return redirect(rule_set)
    form = _form(request, request.POST, rule_set=rule_set)
    editor = None
    if form.is_valid():
        saved, editor = _save(request, form, rule_set)
        if saved is not None:
            messages.success(
                request,
                f"Saved “{saved.name}” as revision {saved.revision} with {saved.rule_count} "
                f"rule{'s' if saved.rule_count != 1 else ''}.",
            )
            return redirect(saved)
    return _detail(request, rule_set, form=form, editor=editor, status=400)


@login_required
@require_POST
def rule_set_import(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    """A rule file as the next revision of the rule set."""
    rule_set = _rule_set(request, rule_set_id)
    _require_manage(request.user, rule_set)
    if rule_set.archived_at is not None:
        messages.error(request, f"“{rule_set.name}” is archived; it cannot be changed.")
        return redirect(rule_set)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            text = form.text()
            saved = services.import_rule_set(
                request.user,
                organization=rule_set.organization,
                text=text,
                filename=form.cleaned_data["file"].name,
                rule_set=rule_set,
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            messages.success(
                request,
                f"Imported {form.cleaned_data['file'].name} as revision {saved.revision} "
                f"({saved.rule_count} rule{'s' if saved.rule_count != 1 else ''}).",
            )
            return redirect(saved)
    return _detail(request, rule_set, import_form=form, status=400)


@login_required
@require_POST
def rule_set_import_new(request: HttpRequest) -> HttpResponse:
    """A rule file as a new rule set."""
    _require_creator(request)
    form = _new_import_form(request, request.POST, request.FILES)
    if form.is_valid():
        client_id = form.cleaned_data.get("client")
        client = next((c for c in _manageable_clients(request) if c.pk == client_id), None)
        try:
            text = form.text()
            saved = services.import_rule_set(
                request.user,
                organization=_organization(request),
                text=text,
                filename=form.cleaned_data["file"].name,
                name=form.cleaned_data.get("name") or "",
                client=client,
            )
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"file": exc.messages}
            for name, texts in problems.items():
                form.add_error(name if name in form.fields else "file", texts)
        else:
            messages.success(
                request,
                f"Rule set “{saved.name}” imported with {saved.rule_count} "
                f"rule{'s' if saved.rule_count != 1 else ''}.",
            )
            return redirect(saved)
    return render(
        request,
        "compliance/rule_set_form.html",
        {
            "form": _form(request, initial={"rules_text": dump_rule_set(
                parse_rule_set(EMPTY_RULES), "yaml")}),
            "editor": _editor_for(EMPTY_RULES),
            "pack": None,
            "starter_note": STARTER_NOTE,
            "import_form": form,
            "packs": starter_packs(),
        },
        status=400,
    )  # fmt: skip


@login_required
@require_POST
def rule_set_archive(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    rule_set = _rule_set(request, rule_set_id)
    _require_manage(request.user, rule_set)
    services.archive_rule_set(request.user, rule_set, request.POST.get("reason", "")[:500])
    messages.success(
        request,
        f"“{rule_set.name}” archived: it no longer applies. Its rules and history are kept.",
    )
    return redirect("compliance:rule_set_list")


# --- A client's regulated categories --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def client_categories(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    profile = ComplianceProfile.objects.filter(client=client).first()
    current = list(profile.categories) if profile else []
    manage = can(request.user, Action.MANAGE_RULES, client.pk) and not client.is_archived
    form = CategoriesForm(
        request.POST if request.method == "POST" else None, initial={"categories": current}
    )
    status = 200
    if request.method == "POST":
        require(request.user, Action.MANAGE_RULES, client.pk)
        if client.is_archived:
            messages.error(request, f"{client.name} is archived; its settings cannot change.")
            return redirect("compliance:client_categories", client_id=client.pk)
        status = 400
        if form.is_valid():
            try:
                services.set_categories(request.user, client, form.cleaned_data["categories"])
            except ValidationError as exc:
                form.add_error("categories", exc.messages)
            else:
                chosen = [Category(c).label for c in form.cleaned_data["categories"]]
                messages.success(
                    request,
                    f"{client.name}'s regulated categories: "
                    + (", ".join(str(c) for c in chosen) if chosen else "none")
                    + ".",
                )
                return redirect("compliance:client_categories", client_id=client.pk)
    sets = (
        RuleSet.objects.visible_to(request.user)
        .active()
        .filter(Q(client__isnull=True) | Q(client=client))
        .select_related("client", "brand")
        .order_by("client__name", "name")
    )
    history = None
    if profile is not None and can(request.user, Action.VIEW_HISTORY, client.pk):
        events = AuditEvent.objects.for_object(profile).select_related("actor")[:100]
        history = readable_history(events, ComplianceProfile)
    return render(
        request,
        "compliance/client_categories.html",
        {
            "client": client,
            "current": [Category(c).label for c in current if c in Category.values],
            "form": form if manage else None,
            "rule_sets": [(r, scope_label(r)) for r in sets],
            "history": history,
        },
        status=status,
    )


# --- Checking copy as it is typed ----------------------------------------------------------


@dataclass
class LintFinding:
    key: str
    source: str
    finding: Finding
    input: str  # the input the finding is about ("" for none)
    excerpt: str

    def as_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "rule": f.rule,
            "key": self.key,
            "source": self.source,
            "severity": f.severity.value,
            "severity_label": SEVERITY_LABELS[f.severity.value],
            "message": f.message,
            "field": f.field,
            "item": f.item,
            "input": self.input,
            "start": f.start,
            "end": f.end,
            "excerpt": self.excerpt,
        }

    @property
    def tone(self) -> str:
        return SEVERITY_TONES[self.finding.severity.value]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.finding.severity.value]

    @property
    def position(self) -> str:
        return position(self.finding.start, self.finding.end)


def position(start: int | None, end: int | None) -> str:
    """Where a span is, as people count: "character 31", "characters 3–12"."""
    if start is None or end is None or end <= start:
        return ""
    return f"character {end:,}" if end - start == 1 else f"characters {start + 1:,}–{end:,}"


def _rule_set_choices(request: HttpRequest) -> list[Any]:
    clients = Client.objects.filter(pk__in=_internal_ids(request)).active().order_by("name")
    sets = _rule_sets(request).active().select_related("client", "brand").order_by("name")
    return [
        ("Everything that applies to a client", [
            (f"client:{c.pk}", f"Every rule set for {c.name}") for c in clients
        ]),
        ("One rule set", [(str(r.pk), f"{r.name} ({scope_label(r)})") for r in sets]),
    ]  # fmt: skip


def _initial_choice(request: HttpRequest, choices: list[Any]) -> str:
    values = [value for _, group in choices for value, _ in group]
    wanted = request.GET.get("rule_set", "")
    if wanted in values:
        return wanted
    if f"client:{request.GET.get('client', '')}" in values:
        return f"client:{request.GET['client']}"
    chosen = current_client(request)
    if chosen is not None and f"client:{chosen.pk}" in values:
        return f"client:{chosen.pk}"
    return values[0] if values else ""


def _excerpt(text: str, start: int | None, end: int | None) -> str:
    if start is None or end is None or not text:
        return ""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    return text[start:end][:200]


def lint(request: HttpRequest, form: CheckForm) -> list[LintFinding]:
    """The findings on the typed copy, against the chosen rule set or a client's."""
    values = form.cleaned_data
    choice = str(values["rule_set"])
    fields, inputs = form.copy_fields()
    categories: set[str] = set(values.get("categories") or [])
    if choice.startswith("client:"):
        client_id = int(choice.split(":", 1)[1])
        client = get_object_or_404(
            Client.objects.filter(pk__in=_internal_ids(request)), pk=client_id
        )
        sets = services.applicable(client, market=values["market"], channel=values["channel"])
        categories |= set(services.categories_of(client))
    else:
        rule_set = get_object_or_404(_rule_sets(request).active(), pk=int(choice))
        sets = [rule_set]
        if rule_set.client is not None:
            categories |= set(services.categories_of(rule_set.client))
    subject = Subject(
        fields=fields,
        channel=values.get("channel") or "",
        market=values.get("market") or "",
        categories=tuple(sorted(categories)),
        sponsored=bool(values.get("sponsored")),
        platform=values.get("platform") or "",
    )
    found = []
    for rule_set in sets:
        for finding in services.compiled(rule_set).check(subject):
            names = inputs.get(finding.field or "", [])
            item = finding.item if finding.item is not None else 0
            name = names[item] if finding.field and 0 <= item < len(names) else ""
            texts = fields.get(finding.field or "", [])
            text = texts[item] if 0 <= item < len(texts) else ""
            found.append(
                LintFinding(
                    key=f"{rule_set.pk}:{finding.rule}",
                    source=rule_set.name,
                    finding=finding,
                    input=name,
                    excerpt=_excerpt(text, finding.start, finding.end) if name else "",
                )
            )
    found.sort(key=lambda f: (-f.finding.severity.rank, f.input, f.finding.start or 0))
    return found


def summary(found: Sequence[Any]) -> str:
    if not found:
        return "No findings: the copy meets these rules."
    counts = {name: 0 for name in ("blocking", "warning", "info")}
    for item in found:
        severity = item.finding.severity.value
        counts[severity] += 1
    parts = [f"{n} {name}" for name, n in counts.items() if n]
    return f"{len(found)} finding{'s' if len(found) != 1 else ''}: {', '.join(parts)}."


@dataclass
class LintInput:
    name: str
    label: str
    bound: Any
    long: bool
    findings: list[LintFinding]
    mirror: SafeString


def highlight(text: str, spans: Iterable[tuple[int, int, str]]) -> SafeString:
    """``text`` escaped, with ``<mark>`` around each span (start, end, severity); overlapping
    spans are merged, marked with the highest severity."""
    ranks = {"info": 0, "warning": 1, "blocking": 2}
    marks: list[tuple[int, int, str]] = []
    for start, end, severity in sorted(spans):
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        if end <= start:
            continue
        if marks and start < marks[-1][1]:
            last = marks[-1]
            worse = severity if ranks.get(severity, 0) > ranks.get(last[2], 0) else last[2]
            marks[-1] = (last[0], max(last[1], end), worse)
        else:
            marks.append((start, end, severity))
    parts: list[str] = []
    at = 0
    for start, end, severity in marks:
        parts.append(format_html("{}", text[at:start]))
        parts.append(format_html('<mark class="span span-{}">{}</mark>', severity, text[start:end]))
        at = end
    parts.append(format_html("{}", text[at:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html


def _lint_inputs(form: CheckForm, found: Sequence[LintFinding]) -> list[LintInput]:
    rows = []
    for _, name, label in COPY_INPUTS:
        mine = [f for f in found if f.input == name]
        text = ""
        if form.is_bound and hasattr(form, "cleaned_data"):
            text = str(form.cleaned_data.get(name) or "").replace("\r\n", "\n")
        spans = [
            (f.finding.start, f.finding.end, f.finding.severity.value)
            for f in mine
            if f.finding.start is not None and f.finding.end is not None
        ]
        rows.append(
            LintInput(
                name=name,
                label=label,
                bound=form[name],
                long=name in LONG_INPUTS,
                findings=mine,
                mirror=highlight(text, spans) if spans else SafeString(""),
            )
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def check_copy(request: HttpRequest) -> HttpResponse:
    """Type copy, see the findings beside it with the offending text marked. The page sends
    the copy as it is typed (``Accept: application/json``) and shows the answer; without
    scripts, its Check button does the same."""
    _require_internal(request)
    choices = _rule_set_choices(request)
    if request.method == "POST":
        form = CheckForm(request.POST, rule_set_choices=choices)
    else:
        initial = {"rule_set": _initial_choice(request, choices)}
        for name in ("channel", "platform", "market"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        form = CheckForm(initial=initial, rule_set_choices=choices)
    found: list[LintFinding] = []
    checked = False
    if request.method == "POST":
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse(
                    {"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}},
                    status=400,
                )
        else:
            found = lint(request, form)
            checked = True
            if _wants_json(request):
                return JsonResponse(
                    {
                        "findings": [item.as_json() for item in found],
                        "summary": summary(found),
                        "blocking": sum(1 for f in found if f.finding.severity.value == "blocking"),
                    }
                )
    return render(
        request,
        "compliance/check.html",
        {
            "form": form,
            "inputs": _lint_inputs(form, found),
            "general": [f for f in found if not f.input],
            "found": found,
            "checked": checked,
            "summary": summary(found) if checked else "",
            "has_sets": any(group for _, group in choices),
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


# --- Findings of a campaign and of an asset version -----------------------------------------


@dataclass
class ReportRow:
    """One finding of the campaign, where it is, and its override (or the form to give one)."""

    where: str  # "Placement" or "Creative"
    subject: str
    url: str
    found: services.Found
    text: str = ""
    line_key: str = ""
    version: AssetVersion | None = None
    asset: Asset | None = None
    may_override: bool = False
    action: str = ""  # where the override form posts

    @property
    def finding(self) -> Finding:
        return self.found.finding

    @property
    def severity(self) -> str:
        return self.finding.severity.value

    @property
    def tone(self) -> str:
        if self.found.override is not None:
            return "muted"
        return SEVERITY_TONES[self.severity]

    @property
    def status(self) -> str:
        if self.found.override is not None:
            return "Overridden"
        return SEVERITY_LABELS[self.severity]

    @property
    def form_id(self) -> str:
        item = "" if self.finding.item is None else self.finding.item
        base = f"{self.version.pk if self.version else self.line_key}-{self.found.key}-"
        base += f"{self.finding.field or ''}-{item}-{self.finding.start or 0}"
        return "ov-" + slugify(base.replace(":", "-").replace(" ", "-"))

    @property
    def has_span(self) -> bool:
        return bool(self.text) and self.finding.start is not None and self.finding.end is not None

    @property
    def highlighted(self) -> SafeString:
        f = self.finding
        if not self.has_span:
            return SafeString("")
        return highlight(self.text, [(f.start or 0, f.end or 0, f.severity.value)])

    @property
    def excerpt(self) -> str:
        return _excerpt(self.text, self.finding.start, self.finding.end)

    @property
    def field_label(self) -> str:
        f = self.finding
        if not f.field:
            return ""
        return f"{f.field} {f.item + 1}" if f.item is not None else f.field

    @property
    def overridable(self) -> bool:
        return self.may_override and self.found.blocks


def _copy_texts(version: AssetVersion) -> dict[str, list[str]]:
    fields = {key: [str(t) for t in texts] for key, texts in (version.copy or {}).items()}
    final_url = (version.metadata or {}).get("final_url")
    if final_url:
        fields["final url"] = [str(final_url)]
    return fields


def version_rows(user: Any, version: AssetVersion, asset: Asset) -> list[ReportRow]:
    """The compliance findings of one asset version, with the copy text each span is in."""
    version.asset = asset
    texts = _copy_texts(version)
    may_override = can(user, Action.OVERRIDE_COMPLIANCE, asset.client_id)
    action = reverse("compliance:version_override", args=[version.pk])
    rows = []
    for found in services.check_version(version):
        f = found.finding
        items = texts.get(f.field or "", [])
        item = f.item if f.item is not None else 0
        rows.append(
            ReportRow(
                where="Creative",
                subject=f"{asset.name} (v{version.number})",
                url=asset.get_absolute_url(),
                found=found,
                text=items[item] if 0 <= item < len(items) else "",
                version=version,
                asset=asset,
                may_override=may_override,
                action=action,
            )
        )
    return rows


def placement_rows(user: Any, campaign: Campaign) -> list[ReportRow]:
    from mediadesk.delivery.services import placements_for_delivery

    may_override = can(user, Action.OVERRIDE_COMPLIANCE, campaign.client_id)
    action = reverse("compliance:placement_override", args=[campaign.pk])
    rows = []
    placements: list[Placement] = placements_for_delivery(campaign)
    for placement in placements:
        for found in services.check_placement(campaign, placement):
            rows.append(
                ReportRow(
                    where="Placement",
                    subject=" · ".join(p for p in (placement.code, placement.vendor) if p),
                    url=reverse("planning:campaign_plan", args=[campaign.pk]),
                    found=found,
                    text="",
                    line_key=placement.line_key,
                    may_override=may_override,
                    action=action,
                )
            )
    return rows


@dataclass
class Report:
    campaign: Campaign
    placements: list[ReportRow]
    creative: list[ReportRow]
    overrides: list[Override]
    decisions: list[ReviewStage]
    checked_assets: int
    checked_placements: int
    generated_at: Any = field(default_factory=timezone.now)

    @property
    def rows(self) -> list[ReportRow]:
        return self.placements + self.creative

    def count(self, severity: str) -> int:
        return sum(1 for r in self.rows if r.severity == severity and r.found.override is None)

    @property
    def blocking(self) -> int:
        return self.count("blocking")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def infos(self) -> int:
        return self.count("info")

    @property
    def overridden(self) -> int:
        return sum(1 for r in self.rows if r.found.override is not None)


def campaign_report(request: HttpRequest, campaign: Campaign) -> Report:
    """Every finding of the campaign's current plan and creative, every override and every
    review decision of its creative, built once for the page, the XLSX and the PDF."""
    from mediadesk.delivery.services import placements_for_delivery

    user = request.user
    assets = list(
        Asset.objects.visible_to(user)
        .filter(campaign=campaign, archived_at__isnull=True, current_version__isnull=False)
        .select_related("current_version", "client", "campaign")
        .order_by("name", "id")
    )
    creative: list[ReportRow] = []
    for asset in assets:
        assert asset.current_version is not None
        creative += version_rows(user, asset.current_version, asset)
    visible = Asset.objects.visible_to(user).filter(campaign=campaign)
    overrides = list(
        Override.objects.visible_to(user)
        .filter(Q(campaign=campaign) | Q(version__asset__in=visible))
        .select_related("by", "version__asset")
        .order_by("at", "id")
    )
    decisions = list(
        ReviewStage.objects.filter(round__asset__in=visible, decided_at__isnull=False)
        .select_related("round__asset", "round__version", "decided_by")
        .order_by("decided_at", "id")
    )
    placements = placement_rows(user, campaign)
    return Report(
        campaign=campaign,
        placements=placements,
        creative=creative,
        overrides=overrides,
        decisions=decisions,
        checked_assets=len(assets),
        checked_placements=len(placements_for_delivery(campaign)),
    )


def override_subject(override: Override) -> str:
    if override.version is not None:
        return f"{override.version.asset.name} (v{override.version.number})"
    return f"Placement {override.line_key}"


def decision_label(stage: ReviewStage) -> str:
    return str(stage.get_status_display())


def decided_by(stage: ReviewStage) -> str:
    if stage.decided_label and stage.decided_by is None:
        return stage.decided_label
    return stage.decided_by.display_name if stage.decided_by else stage.decided_label


FINDING_COLUMNS = [
    Column("Where", lambda r: r.where),
    Column("Subject", lambda r: r.subject),
    Column("Severity", lambda r: SEVERITY_LABELS[r.severity]),
    Column("Status", lambda r: "overridden" if r.found.override else "open"),
    Column("Rule set", lambda r: r.found.source),
    Column("Rule", lambda r: r.finding.rule),
    Column("Message", lambda r: r.finding.message),
    Column("Field", lambda r: r.field_label),
    Column("Span start", lambda r: r.finding.start),
    Column("Span end", lambda r: r.finding.end),
    Column("Offending text", lambda r: r.excerpt),
    Column("Market", lambda r: r.found.market),
    Column("Channel", lambda r: r.found.channel),
    Column("Overridden by", lambda r: r.found.override.by.display_name if r.found.override else ""),
    Column("Overridden at", lambda r: r.found.override.at if r.found.override else None),
    Column("Reason", lambda r: r.found.override.reason if r.found.override else ""),
]
OVERRIDE_COLUMNS = [
    Column("Subject", override_subject),
    Column("Rule", lambda o: o.rule),
    Column("Field", lambda o: o.field),
    Column("Finding", lambda o: o.message),
    Column("Reason", lambda o: o.reason),
    Column("By", lambda o: o.by.display_name),
    Column("At", lambda o: o.at),
]
DECISION_COLUMNS = [
    Column("Asset", lambda s: s.round.asset.name),
    Column("Version", lambda s: s.round.version.number),
    Column("Review round", lambda s: s.round.number),
    Column("Stage", lambda s: s.name),
    Column("Decision", decision_label),
    Column("Decided by", decided_by),
    Column("Decided at", lambda s: s.decided_at),
    Column("Note", lambda s: s.note),
]


def _cell(sheet: Any, row: int, col: int, value: Any, formats: Mapping[str, Any]) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
        return 5
    if isinstance(value, int):
        sheet.write_number(row, col, value)
        return len(str(value))
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        sheet.write_datetime(row, col, local.replace(tzinfo=None), formats["datetime"])
        return 16
    text = neutralize(str(value))
    sheet.write_string(row, col, text, formats["wrap"] if len(text) > 60 else None)
    return min(len(text), 60)


def report_xlsx(report: Report) -> bytes:
    """The compliance report as a workbook: findings, overrides, review decisions."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
         "strings_to_urls": False, "remove_timezone": True},
    )  # fmt: skip
    formats = {
        "bold": book.add_format({"bold": True, "bottom": 1}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 13}),
    }
    campaign = report.campaign
    sheets: list[tuple[str, Sequence[Column], Sequence[Any]]] = [
        ("Findings", FINDING_COLUMNS, report.rows),
        ("Overrides", OVERRIDE_COLUMNS, report.overrides),
        ("Review decisions", DECISION_COLUMNS, report.decisions),
    ]
    for title, columns, rows in sheets:
        sheet = book.add_worksheet(title)
        sheet.write_string(
            0, 0,
            neutralize(f"{title} · {campaign.client.name} · {campaign.name} ({campaign.code}) · "
                       f"{timezone.localtime(report.generated_at):%Y-%m-%d %H:%M}"),
            formats["title"],
        )  # fmt: skip
        for col, column in enumerate(columns):
            sheet.write_string(1, col, column.header, formats["bold"])
        widths = [len(column.header) for column in columns]
        for number, item in enumerate(rows, start=2):
            for col, column in enumerate(columns):
                widths[col] = max(
                    widths[col], _cell(sheet, number, col, column.value(item), formats)
                )
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(width, 60) + 2)
        sheet.freeze_panes(2, 0)
        sheet.autofilter(1, 0, max(len(rows) + 1, 2), len(columns) - 1)
    book.close()
    return buffer.getvalue()


def report_pdf(report: Report) -> bytes:
    weasyprint = importlib.import_module("weasyprint")
    html = render_to_string(
        "compliance/report_print.html",
        {
            "report": report,
            "campaign": report.campaign,
            "client": report.campaign.client,
            "organization": report.campaign.client.organization,
        },
    )
    # Only data: URLs: the document fetches nothing from the network or the disk.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


@dataclass
class Refused:
    """An override form the server refused: which, what was typed, why."""

    form_id: str
    reason: str
    errors: list[str]


def _campaign_page(
    request: HttpRequest, campaign: Campaign, *, refused: Refused | None = None, status: int = 200
) -> HttpResponse:
    report = campaign_report(request, campaign)
    return render(
        request,
        "compliance/campaign_compliance.html",
        {
            "campaign": campaign,
            "report": report,
            "refused": refused,
            "refused_elsewhere": refused is not None
            and not any(row.form_id == refused.form_id for row in report.rows),
            "may_override": can(request.user, Action.OVERRIDE_COMPLIANCE, campaign.client_id),
            "may_export": can(request.user, Action.EXPORT, campaign.client_id),
            "page_url": reverse("compliance:campaign_compliance", args=[campaign.pk]),
        },
        status=status,
    )


@login_required
@require_GET
def campaign_compliance(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's Compliance tab; ``?format=xlsx|pdf`` is the report to download."""
    campaign = _campaign(request, campaign_id)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        require(request.user, Action.EXPORT, campaign.client_id)
        report = campaign_report(request, campaign)
        name = f"compliance-{slugify(campaign.code)}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        if fmt == "xlsx":
            return _download(report_xlsx(report), XLSX_TYPE, name)
        return _download(report_pdf(report), "application/pdf", name)
    if fmt:
        raise Http404("Download the report as XLSX or PDF.")
    return _campaign_page(request, campaign)


def _override_values(form: OverrideForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "key": data["key"],
        "field": data.get("field") or None,
        "item": data.get("item"),
        "reason": data["reason"],
    }


@login_required
@require_POST
def placement_override(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Let a blocking finding on one of the campaign's placements through, with the reason."""
    campaign = _campaign(request, campaign_id)
    require(request.user, Action.OVERRIDE_COMPLIANCE, campaign.client_id)
    form = OverrideForm(request.POST)
    page = reverse("compliance:campaign_compliance", args=[campaign.pk])
    form_id = request.POST.get("form_id", "")[:300]
    if not form.is_valid() or not form.cleaned_data.get("line_key"):
        errors = [str(e) for texts in form.errors.values() for e in texts] or [
            "Choose the finding to override."
        ]
        refused = Refused(form_id, request.POST.get("reason", ""), errors)
        return _campaign_page(request, campaign, refused=refused, status=400)
    try:
        services.override(
            request.user,
            campaign=campaign,
            line_key=form.cleaned_data["line_key"],
            **_override_values(form),
        )
    except ValidationError as exc:
        refused = Refused(form_id, request.POST.get("reason", ""), exc.messages)
        return _campaign_page(request, campaign, refused=refused, status=400)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(page)
    messages.success(request, "Finding overridden; the reason is in the campaign's history.")
    return redirect(f"{page}#placements")


@login_required
@require_POST
def version_override(request: HttpRequest, version_id: int) -> HttpResponse:
    """Let a blocking finding on an asset version through, with the reason; back to the page
    the form was on (the asset page, or the campaign's compliance)."""
    version: AssetVersion = get_object_or_404(
        AssetVersion.objects.filter(asset__in=Asset.objects.visible_to(request.user))
        .select_related("asset__client", "asset__campaign"),
        pk=version_id,
    )  # fmt: skip
    asset = version.asset
    if not can(request.user, Action.VIEW_ALL_CAMPAIGNS, asset.client_id):
        raise Http404("Compliance is internal work.")
    require(request.user, Action.OVERRIDE_COMPLIANCE, asset.client_id)
    fallback = asset.get_absolute_url()
    if asset.current_version_id != version.pk:
        fallback += f"?version={version.number}"
    back = safe_next(request, fallback + "#compliance")
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for texts in form.errors.values() for e in texts))
        return redirect(back)
    try:
        services.override(request.user, version=version, **_override_values(form))
    except ValidationError as exc:
        messages.error(request, _sentences(exc))
        return redirect(back)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request,
        f"Finding on version {version.number} of “{asset.name}” overridden; the reason is in its "
        "history.",
    )
    return redirect(back)
