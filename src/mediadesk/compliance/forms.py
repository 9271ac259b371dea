"""Forms of the compliance pages, and the rule editor's rows.

The forms check the shape of what was typed; every rule about rule sets, categories and
overrides (who may, which values, what a rule may say) is the service's and the engine's
(``domain.rules.parse_rule_set``), shown beside the field or the rule's row by the view.

The rule editor shows one row per rule: its kind, severity and field, the kind's parameters and
its conditions. ``rules.js`` turns the rows into the rule set's JSON when the form is sent; a
browser without scripts gets the same rules as a YAML/JSON text instead. ``rule_rows`` renders
rules (as stored, or as sent and refused) into rows, with each refusal beside its parameter.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from mediadesk.compliance.choices import Category
from mediadesk.domain.rules import CATEGORIES, FIELDS, PLATFORMS
from mediadesk.planning.choices import Channel

MAX_RULE_FILE_BYTES = 1024 * 1024
RULE_FILE_EXTENSIONS = (".yaml", ".yml", ".json")
MAX_COPY_CHARS = 5_000

SEVERITIES = (("info", "Info"), ("warning", "Warning"), ("blocking", "Blocking"))
PLATFORM_LABELS = {
    "google_ads": "Google Ads",
    "microsoft_ads": "Microsoft Advertising",
    "meta": "Meta (Facebook, Instagram)",
    "tiktok": "TikTok",
    "linkedin": "LinkedIn",
    "x": "X (Twitter)",
    "snapchat": "Snapchat",
    "pinterest": "Pinterest",
    "youtube": "YouTube",
    "amazon_ads": "Amazon Ads",
    "dv360": "Display & Video 360",
    "cm360": "Campaign Manager 360",
}
CATEGORY_LABELS = {
    **{key: key.replace("_", " ").capitalize() for key in CATEGORIES},
    **{str(value): str(label) for value, label in Category.choices},
}
# The rules' channel vocabulary is the placements' (planning.choices.Channel) plus a few.
CHANNEL_LABELS = {
    **{str(value): str(label) for value, label in Channel.choices},
    "retail_media": "Retail media",
}


def platform_label(key: str) -> str:
    return PLATFORM_LABELS.get(key, key.replace("_", " ").capitalize())


def category_label(key: str) -> str:
    return CATEGORY_LABELS.get(key, key.replace("_", " ").capitalize())


def channel_label(key: str) -> str:
    return CHANNEL_LABELS.get(key, key.replace("_", " ").capitalize())


# --- Rules in words -------------------------------------------------------------------------


def _quoted(values: Iterable[Any]) -> str:
    return ", ".join(f"“{value}”" for value in values)


def describe_rule(rule: Mapping[str, Any]) -> str:
    """One rule in a sentence, for read-only lists and the report."""
    kind = rule.get("kind")
    where = f"{rule['field']}: " if rule.get("field") else ""
    if kind == "required_text":
        texts = [rule["text"]] if rule.get("text") else list(rule.get("any_of") or [])
        what = _quoted(texts) if len(texts) == 1 else f"one of {_quoted(texts)}"
        within = f" within the first {rule['within']:,} characters" if rule.get("within") else ""
        return f"{where}must contain {what}{within}"
    if kind == "prohibited":
        if rule.get("pattern"):
            what = f"text matching the pattern {rule['pattern']}"
        else:
            what = _quoted(rule.get("words") or [])
        instead = f" (say “{rule['replacement']}” instead)" if rule.get("replacement") else ""
        return f"{where}must not contain {what}{instead}"
    if kind == "length":
        parts = []
        if rule.get("max"):
            parts.append(f"at most {rule['max']:,} characters")
        if rule.get("min"):
            parts.append(f"at least {rule['min']:,} characters")
        if rule.get("max_items"):
            parts.append(f"at most {rule['max_items']:,} texts")
        counting = {"double_width": " (wide characters count twice)",
                    "x_post": " (a link counts 23)"}.get(str(rule.get("counting")), "")  # fmt: skip
        return f"{where}{', '.join(parts)}{counting}"
    if kind == "url":
        parts = []
        if rule.get("https_only"):
            parts.append("https only")
        if rule.get("no_shorteners"):
            parts.append("no URL shorteners")
        if rule.get("allowed_domains"):
            parts.append("landing pages on " + ", ".join(rule["allowed_domains"]))
        if rule.get("required_params"):
            parts.append("with " + ", ".join(rule["required_params"]))
        return f"{where}{'; '.join(parts)}"
    if kind == "targeting":
        parts = []
        if rule.get("min_age"):
            parts.append(f"audience {rule['min_age']} or older")
        if rule.get("no_interests"):
            parts.append("never targeting " + ", ".join(rule["no_interests"]))
        if rule.get("banned"):
            parts.append("banned")
        if rule.get("reminder"):
            parts.append(f"reminder: {rule.get('message', '')}")
        return "; ".join(parts)
    if kind == "spec":
        return "the creative spec check's findings"
    return str(kind)


def describe_when(rule: Mapping[str, Any]) -> str:
    when = rule.get("when")
    if not isinstance(when, Mapping):
        return ""
    parts = []
    if when.get("channels"):
        parts.append(", ".join(channel_label(c) for c in when["channels"]))
    if when.get("markets"):
        parts.append(", ".join(when["markets"]))
    if when.get("categories"):
        parts.append(", ".join(category_label(c).lower() for c in when["categories"]))
    if when.get("platforms"):
        parts.append(", ".join(platform_label(p) for p in when["platforms"]))
    if when.get("sponsored") is True:
        parts.append("sponsored content")
    elif when.get("sponsored") is False:
        parts.append("content that is not sponsored")
    return "; ".join(parts)


# --- The rule editor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a kind: ``type`` is text, lines (a list, one per line), int, bool or
    choice."""

    name: str
    label: str
    type: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    default_on: bool = False  # a bool that is true unless unticked


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    description: str
    params: tuple[Param, ...]
    reads_field: bool = True


KINDS: tuple[Kind, ...] = (
    Kind(
        "required_text",
        "Required text",
        "A disclaimer or disclosure that must appear, e.g. “Terms apply” or “#ad”.",
        (
            Param("text", "Text that must appear", "text"),
            Param(
                "any_of",
                "Or any one of these (one per line)",
                "lines",
                "Alternatives, e.g. #ad, Paid partnership, Anzeige. Use this or the text above.",
            ),
            Param(
                "within",
                "Within the first … characters",
                "int",
                "Leave empty when it may appear anywhere.",
            ),
        ),
    ),
    Kind(
        "prohibited",
        "Prohibited words or claims",
        "Words, phrases or a pattern that must not appear; case and accents are ignored.",
        (
            Param(
                "words",
                "Words or phrases (one per line)",
                "lines",
                "Matched as whole words: “free” is not found in “carefree”.",
            ),
            Param(
                "pattern",
                "Or a pattern (regular expression)",
                "text",
                "Use this or the words above. Look-arounds and backreferences are refused.",
            ),
            Param("replacement", "Suggested replacement", "text"),
        ),
    ),
    Kind(
        "length",
        "Length limit",
        "At most (or at least) so many characters per text of one field.",
        (
            Param("max", "At most … characters", "int"),
            Param("min", "At least … characters", "int"),
            Param("max_items", "At most … texts in the field", "int"),
            Param(
                "counting",
                "How characters are counted",
                "choice",
                choices=(
                    ("", "Each character once"),
                    ("double_width", "Wide (East Asian) characters count twice"),
                    ("x_post", "A link counts as 23 (X)"),
                ),
            ),
        ),
    ),
    Kind(
        "url",
        "Landing page URL",
        "Rules for the final URL and links in the copy.",
        (
            Param("https_only", "https only", "bool"),
            Param("no_shorteners", "No URL shorteners (bit.ly, t.co, …)", "bool"),
            Param(
                "allowed_domains",
                "Allowed landing domains (one per line)",
                "lines",
                "e.g. northwind.example; subdomains are allowed too.",
            ),
            Param(
                "required_params",
                "Required URL parameters (one per line)",
                "lines",
                "e.g. utm_source and utm_medium, each with a value.",
            ),
        ),
    ),
    Kind(
        "targeting",
        "Targeting",
        "Rules for a placement's audience: minimum age, sensitive interests, banned categories.",
        (
            Param("min_age", "Minimum age of the audience", "int"),
            Param(
                "if_unknown",
                "When the targeting states no age",
                "choice",
                choices=(
                    ("", "Warning"),
                    ("info", "Info"),
                    ("blocking", "Blocking"),
                    ("ignore", "Ignore"),
                ),
            ),
            Param(
                "no_interests",
                "Interests that must not be targeted (one per line)",
                "lines",
                "e.g. health, religion, sexual orientation.",
            ),
            Param(
                "banned",
                "Banned wherever the conditions below hold",
                "bool",
                "Needs conditions (markets, channels or categories).",
            ),
            Param(
                "reminder",
                "A reminder for a person to confirm",
                "bool",
                "Shows the message as a finding wherever the conditions hold.",
            ),
        ),
        reads_field=False,
    ),
    Kind(
        "spec",
        "Creative spec",
        "Passes the creative spec check's findings through, so every finding comes from one place.",
        (
            Param(
                "severity_from_spec",
                "Keep the spec check's own severity",
                "bool",
                "Untick to give them this rule's severity.",
                default_on=True,
            ),
        ),
        reads_field=False,
    ),
)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}
COMMON_KEYS = ("id", "kind", "severity", "field", "message", "when", "note")
WHEN_KEYS = ("channels", "markets", "categories", "platforms", "sponsored")
RULE_CHANNELS = tuple(CHANNEL_LABELS)
FOLD_AFTER = 5  # a rule set with more rules shows them folded, one line each
ERROR_PATH = re.compile(r"^rules\[(\d+)\]((?:\.[A-Za-z_]+)*)(?:\[\d+\])?(?:\.[A-Za-z_]+)*$")


@dataclass
class ParamView:
    param: Param
    id: str
    value: str = ""
    checked: bool = False
    errors: list[str] = dataclasses.field(default_factory=list)


@dataclass
class GroupView:
    kind: Kind
    hidden: bool
    params: list[ParamView]


@dataclass
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass
class RuleRow:
    """One rule as the editor shows it."""

    index: int | str  # "__n__" in the blank row the editor clones
    kind: str
    severity: str
    field: str
    id: str
    message: str
    note: str
    groups: list[GroupView]
    kinds: list[Option]
    severities: list[Option]
    fields: list[Option]
    channels: list[Option]
    markets: str
    categories: list[Option]
    platforms: list[Option]
    sponsored: str  # "", "yes" or "no"
    # Refusals beside the common inputs: kind, severity, field, id, message, note, when, when_*.
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    row_errors: list[str] = dataclasses.field(default_factory=list)
    unknown: list[str] = dataclasses.field(default_factory=list)
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    open: bool = True  # shown unfolded (a long rule set's rows start folded)

    @property
    def expanded(self) -> bool:
        return self.open or self.has_errors

    @property
    def description(self) -> str:
        try:
            return describe_rule(self.data) if self.data else "New rule"
        except (KeyError, TypeError, ValueError, AttributeError):
            return self.summary

    @property
    def when_text(self) -> str:
        try:
            return describe_when(self.data)
        except (KeyError, TypeError, ValueError, AttributeError):
            return ""

    @property
    def tone(self) -> str:
        return {"blocking": "bad", "warning": "warn", "info": "info"}.get(self.severity, "neutral")

    @property
    def number(self) -> int | str:
        return self.index + 1 if isinstance(self.index, int) else self.index

    @property
    def has_when(self) -> bool:
        return bool(
            any(o.selected for o in self.channels)
            or self.markets
            or any(o.selected for o in self.categories)
            or any(o.selected for o in self.platforms)
            or self.sponsored
            or any(key.startswith("when") for key in self.errors)
        )

    @property
    def reads_field(self) -> bool:
        kind = KIND_BY_KEY.get(self.kind)
        return kind is None or kind.reads_field

    @property
    def has_errors(self) -> bool:
        return bool(self.row_errors or self.errors or any(
            p.errors for g in self.groups for p in g.params
        ))  # fmt: skip

    @property
    def summary(self) -> str:
        kind = KIND_BY_KEY.get(self.kind)
        label = kind.label if kind else self.kind or "Rule"
        return f"{label}" + (f" · {self.field}" if self.field and self.reads_field else "")


def _shown(value: Any) -> str:
    """A stored value as the editor's input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    if isinstance(value, Mapping):
        return ""
    return str(value)


def _as_set(value: Any) -> set[str]:
    if isinstance(value, list | tuple):
        return {str(item).strip().lower() for item in value}
    if isinstance(value, str) and value.strip():
        return {value.strip().lower()}
    return set()


def rule_row(rule: Mapping[str, Any] | Any, index: int | str) -> RuleRow:
    """A rule (a dict as stored or as sent) as the editor's row; anything unreadable is shown
    as text, so its refusal can be read beside it."""
    data: Mapping[str, Any] = rule if isinstance(rule, Mapping) else {}
    kind = str(data.get("kind") or "required_text")
    severity = str(data.get("severity") or "warning")
    field_value = str(data.get("field") or "")
    when = data.get("when") if isinstance(data.get("when"), Mapping) else {}
    assert isinstance(when, Mapping)
    sponsored_value = when.get("sponsored")
    sponsored = "yes" if sponsored_value is True else "no" if sponsored_value is False else ""
    prefix = f"r{index}"
    groups = []
    for each in KINDS:
        views = []
        for param in each.params:
            value = data.get(param.name) if each.key == kind else None
            checked = value is True or (value is None and param.default_on)
            views.append(
                ParamView(
                    param=param,
                    id=f"{prefix}-{each.key}-{param.name}",
                    value="" if param.type == "bool" else _shown(value),
                    checked=checked,
                )
            )
        groups.append(GroupView(kind=each, hidden=each.key != kind, params=views))
    known = set(COMMON_KEYS) | {
        p.name for p in KIND_BY_KEY[kind].params
    } if kind in KIND_BY_KEY else set(COMMON_KEYS)  # fmt: skip
    kinds = [Option(k.key, k.label, k.key == kind) for k in KINDS]
    if kind not in KIND_BY_KEY:
        kinds.insert(0, Option(kind, f"{kind} (unknown kind)", True))
    fields = [Option("", "Every text field", not field_value)] + [
        Option(name, name.capitalize(), name == field_value) for name in FIELDS
    ]
    if field_value and field_value not in FIELDS:
        fields.append(Option(field_value, f"{field_value} (unknown field)", True))
    channels = _as_set(when.get("channels"))
    categories = _as_set(when.get("categories"))
    platforms = _as_set(when.get("platforms"))
    markets = when.get("markets")
    return RuleRow(
        index=index,
        kind=kind,
        severity=severity,
        field=field_value,
        id=_shown(data.get("id")),
        message=_shown(data.get("message")),
        note=_shown(data.get("note")),
        groups=groups,
        kinds=kinds,
        severities=[Option(value, label, value == severity) for value, label in SEVERITIES],
        fields=fields,
        channels=[Option(key, channel_label(key), key in channels) for key in RULE_CHANNELS],
        markets=", ".join(str(m) for m in markets)
        if isinstance(markets, list | tuple)
        else _shown(markets),
        categories=[Option(key, category_label(key), key in categories) for key in CATEGORIES],
        platforms=[Option(key, platform_label(key), key in platforms) for key in PLATFORMS],
        sponsored=sponsored,
        unknown=[str(key) for key in data if key not in known],
        data=data,
    )


def rule_rows(rules: Any, errors: Iterable[str] = ()) -> tuple[list[RuleRow], list[str]]:
    """The rows of ``rules`` (a rule set's dict, or its ``rules`` list), each refusal
    (``"rules[3].pattern: …"``) beside its parameter; refusals of no row come back apart."""
    items = rules.get("rules") if isinstance(rules, Mapping) else rules
    rows = [rule_row(rule, n) for n, rule in enumerate(items if isinstance(items, list) else [])]
    if len(rows) > FOLD_AFTER:
        for row in rows:
            row.open = False
    general = []
    for message in errors:
        path, _, problem = message.partition(": ")
        match = ERROR_PATH.match(path)
        if not match or not problem or int(match.group(1)) >= len(rows):
            general.append(message)
            continue
        row = rows[int(match.group(1))]
        keys = [key for key in match.group(2).split(".") if key]
        place(row, keys, problem)
    return rows, general


def place(row: RuleRow, keys: Sequence[str], problem: str) -> None:
    """Put a refusal beside the row's input it is about (or at the top of the row)."""
    if not keys:
        row.row_errors.append(problem)
        return
    name = keys[0]
    if name == "when":
        where = f"when_{keys[1]}" if len(keys) > 1 and keys[1] in WHEN_KEYS else "when"
        row.errors.setdefault(where, []).append(problem)
        return
    if name in COMMON_KEYS:
        row.errors.setdefault(name, []).append(problem)
        return
    for group in row.groups:
        if group.kind.key != row.kind:
            continue
        for view in group.params:
            if view.param.name == name:
                view.errors.append(problem)
                return
    row.row_errors.append(f"{name}: {problem}")


def blank_row() -> RuleRow:
    row = rule_row({"kind": "required_text", "severity": "warning"}, "__n__")
    row.data = {}
    return row


# --- Rule sets ----------------------------------------------------------------------------------


class RuleSetForm(forms.Form):
    """A rule set's name, scope and description; the rules come as JSON (``rules_json``, from
    the editor's rows) or as YAML/JSON text (``rules_text``, without scripts)."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000
    )
    client = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="For",
        help_text="A rule set for every client applies to all of them; one for a client (or "
        "one of its brands) only to that client's campaigns and creative.",
    )
    brand = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Brand (optional)"
    )
    markets = forms.CharField(
        required=False,
        max_length=500,
        label="Markets",
        help_text="Country codes separated by commas (DE, AT, US); empty: every market.",
    )
    channels = forms.MultipleChoiceField(
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Channels",
        help_text="None ticked: every channel.",
    )
    rules_json = forms.CharField(required=False, widget=forms.HiddenInput)
    editor = forms.CharField(required=False, widget=forms.HiddenInput)
    rules_text = forms.CharField(
        required=False,
        strip=False,
        label="Rules (YAML or JSON)",
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code-text"}),
        help_text='The rule file format: {"version": 1, "rules": [...]} as JSON, or the '
        "same in YAML.",
    )

    def __init__(
        self,
        *args: Any,
        clients: Sequence[Any],
        brands: Sequence[Any],
        everyone: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        client_field: Any = self.fields["client"]
        choices: list[tuple[Any, str]] = [("", "Every client")] if everyone else []
        client_field.choices = choices + [(c.pk, c.name) for c in clients]
        if not everyone:
            client_field.required = True
        by_client: dict[str, list[tuple[int, str]]] = {}
        for brand in brands:
            by_client.setdefault(brand.client.name, []).append((brand.pk, brand.name))
        brand_field: Any = self.fields["brand"]
        brand_field.choices = [("", "Every brand")] + [
            (name, options) for name, options in by_client.items()
        ]

    def market_codes(self) -> list[str]:
        text = self.cleaned_data.get("markets") or ""
        return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]


class ImportForm(forms.Form):
    """A rule file (YAML or JSON): a new rule set, or the next revision of one."""

    file = forms.FileField(
        label="Rule file",
        help_text="A .yaml or .json file in the rule file format, at most 1 MB.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(RULE_FILE_EXTENSIONS):
            raise forms.ValidationError("Choose a .yaml, .yml or .json rule file.")
        if upload.size is not None and upload.size > MAX_RULE_FILE_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / (1024 * 1024):.1f} MB; a rule file is at "
                "most 1 MB."
            )
        return upload

    def text(self) -> str:
        """The file as text, or a ValidationError saying why it cannot be read."""
        upload = self.cleaned_data["file"]
        data = b""
        for chunk in upload.chunks():
            data += chunk
            if len(data) > MAX_RULE_FILE_BYTES:
                raise forms.ValidationError("A rule file is at most 1 MB.")
        if b"\x00" in data:
            raise forms.ValidationError(f"{upload.name} is not a text file.")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                f"{upload.name} is not UTF-8 text (byte {exc.start + 1:,} cannot be read)."
            ) from exc


class NewImportForm(ImportForm):
    name = forms.CharField(
        required=False, max_length=200, help_text="Empty: the file's name.", label="Name"
    )
    client = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="For")

    def __init__(self, *args: Any, clients: Sequence[Any], everyone: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field: Any = self.fields["client"]
        choices: list[tuple[Any, str]] = [("", "Every client")] if everyone else []
        client_field.choices = choices + [(c.pk, c.name) for c in clients]
        if not everyone:
            client_field.required = True


class CategoriesForm(forms.Form):
    categories = forms.MultipleChoiceField(
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Regulated categories",
        help_text="What the client sells, as far as the rules care: rules limited to a "
        "category apply to its copy and placements.",
    )


# --- Checking copy ------------------------------------------------------------------------------

# (field of the rules, input name, label): the copy a person can type on the check page.
COPY_INPUTS: tuple[tuple[str, str, str], ...] = (
    ("headline", "headline_1", "Headline 1"),
    ("headline", "headline_2", "Headline 2"),
    ("headline", "headline_3", "Headline 3"),
    ("description", "description_1", "Description 1"),
    ("description", "description_2", "Description 2"),
    ("primary text", "primary_text", "Primary text"),
    ("text", "text", "Text (post, caption, script)"),
    ("final url", "final_url", "Final URL"),
)
LONG_INPUTS = frozenset({"primary_text", "text"})


class CheckForm(forms.Form):
    """The copy to check and what it is for. Texts keep their spaces: findings point at
    character positions."""

    rule_set = forms.ChoiceField(label="Check against")
    channel = forms.ChoiceField(required=False, label="Channel")
    platform = forms.ChoiceField(required=False, label="Platform")
    market = forms.CharField(
        required=False, max_length=10, label="Market", help_text="A country code: DE, US, GB."
    )
    sponsored = forms.BooleanField(
        required=False,
        label="Sponsored or influencer content",
        help_text="Paid partnerships need their disclosure.",
    )
    categories = forms.MultipleChoiceField(
        required=False,
        choices=[(key, category_label(key)) for key in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        label="Product categories",
        help_text="Besides the client's own regulated categories.",
    )

    def __init__(self, *args: Any, rule_set_choices: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule_set_field: Any = self.fields["rule_set"]
        rule_set_field.choices = list(rule_set_choices)
        channel_field: Any = self.fields["channel"]
        channel_field.choices = [("", "Any channel")] + [
            (key, channel_label(key)) for key in RULE_CHANNELS
        ]
        platform_field: Any = self.fields["platform"]
        platform_field.choices = [("", "Any platform")] + [
            (key, platform_label(key)) for key in PLATFORMS
        ]
        for _, name, label in COPY_INPUTS:
            widget: Any
            if name in LONG_INPUTS:
                widget = forms.Textarea(attrs={"rows": 3, "data-lint-input": name})
            else:
                widget = forms.TextInput(attrs={"data-lint-input": name, "autocomplete": "off"})
            self.fields[name] = forms.CharField(
                required=False, strip=False, max_length=MAX_COPY_CHARS, label=label, widget=widget
            )

    def clean_market(self) -> str:
        return str(self.cleaned_data.get("market") or "").strip().upper()

    def copy_fields(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """The typed texts by the rules' field names, and for each field which input each of
        its items came from (empty inputs are left out, so "headline 2" may be the third box).
        Line breaks are "\\n" as the browser counts them, not the "\\r\\n" forms send."""
        fields: dict[str, list[str]] = {}
        inputs: dict[str, list[str]] = {}
        for rule_field, name, _ in COPY_INPUTS:
            text = str(self.cleaned_data.get(name) or "").replace("\r\n", "\n")
            if not text.strip():
                continue
            fields.setdefault(rule_field, []).append(text)
            inputs.setdefault(rule_field, []).append(name)
        return fields, inputs


class OverrideForm(forms.Form):
    """Let one blocking finding through: which finding, and why."""

    key = forms.CharField(max_length=300)
    field = forms.CharField(required=False, max_length=100)
    item = forms.IntegerField(required=False, min_value=0, max_value=100_000)
    line_key = forms.CharField(required=False, max_length=32)
    reason = forms.CharField(
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why this may go through",
        error_messages={"required": "Write why this finding may go through."},
    )
