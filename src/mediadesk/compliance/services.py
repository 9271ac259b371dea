"""Compliance, in one place: which rule sets apply, what they find on copy, asset versions,
placements and plans, the overrides that let a blocking finding through, and the rule sets
themselves. Page, API and CLI call these functions.

Which rules apply to a subject: every active rule set of the client's organization that is for
all clients or for the subject's client (and, when it names a brand, for the subject's brand),
and whose markets and channels (when it lists any) include the subject's. Each rule inside may
narrow itself further with ``when`` (``domain.rules``).

What a subject is:

- an **asset version**: its copy fields (and final URL), its spec findings, the client's
  regulated categories; once per market and channel of the placements it is made for (the
  campaign's markets when it names none). It is *sponsored* when one of those placements is an
  influencer buy or the asset is tagged ``sponsored``, ``influencer`` or ``paid partnership``.
- a **placement**: its channel, market, categories and the targeting read from its
  "targeting / audience" text.

A finding is **blocking** until a person with the legal role overrides it with a reason; spec
findings come through here too, so one override covers a spec breach a client accepts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Brand, Client, Membership, Organization
from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import record
from mediadesk.compliance.models import ComplianceProfile, Override, RuleSet
from mediadesk.creative.models import Asset, AssetVersion
from mediadesk.domain.rules import (
    CATEGORIES,
    CompiledRules,
    Finding,
    RuleError,
    Severity,
    Subject,
    market_matches,
    parse_rule_set,
    parse_targeting,
    rule_set_data,
)
from mediadesk.errors import Conflict
from mediadesk.ingest.rulefile import RuleFileError, dump_rule_set, read_rule_file
from mediadesk.planning.models import Campaign, Placement, PlanVersion

SPONSORED_TAGS = frozenset({"sponsored", "influencer", "paid partnership", "paid-partnership"})
SPEC_SOURCE = "spec"  # spec findings are shown as found by the creative spec check
# The platform copy is written for, from the placement's vendor (``domain.rules.PLATFORMS``).
_PLATFORM_WORDS = (
    ("google", "google_ads"),
    ("youtube", "youtube"),
    ("microsoft", "microsoft_ads"),
    ("bing", "microsoft_ads"),
    ("meta", "meta"),
    ("facebook", "meta"),
    ("instagram", "meta"),
    ("tiktok", "tiktok"),
    ("linkedin", "linkedin"),
    ("twitter", "x"),
    ("snap", "snapchat"),
    ("pinterest", "pinterest"),
    ("amazon", "amazon_ads"),
    ("display & video", "dv360"),
    ("dv360", "dv360"),
    ("campaign manager", "cm360"),
)


def platform_of(vendor: str) -> str:
    words = vendor.strip().lower()
    if words in {"x", "x ads", "x corp"}:
        return "x"
    return next((platform for word, platform in _PLATFORM_WORDS if word in words), "")


@dataclass(frozen=True, slots=True)
class Found:
    """One finding with where it came from and whether it was overridden."""

    key: str  # "<rule set id>:<rule id>", or "spec:<spec key>"
    source: str  # the rule set's name, or "Creative spec"
    finding: Finding
    override: Override | None = None
    market: str = ""
    channel: str = ""

    @property
    def blocks(self) -> bool:
        return self.finding.severity is Severity.BLOCKING and self.override is None


# --- which rules apply ------------------------------------------------------------------------


_COMPILED: dict[tuple[int, int, str], CompiledRules] = {}
_COMPILED_LOCK = threading.Lock()


def compiled(rule_set: RuleSet) -> CompiledRules:
    """The rule set compiled once per revision (patterns, normalized texts). The save time is
    part of the key: an id can come back after a delete (SQLite), a revision cannot."""
    key = (rule_set.pk, rule_set.revision, rule_set.updated_at.isoformat())
    with _COMPILED_LOCK:
        found = _COMPILED.get(key)
    if found is None:
        found = CompiledRules(parse_rule_set(rule_set.rules))
        with _COMPILED_LOCK:
            if len(_COMPILED) > 500:
                _COMPILED.clear()
            _COMPILED[key] = found
    return found


def applicable(
    client: Client, *, brand_id: int | None = None, market: str = "", channel: str = ""
) -> list[RuleSet]:
    sets = RuleSet.objects.active().filter(organization_id=client.organization_id)
    chosen = []
    for rule_set in sets.filter(client__isnull=True) | sets.filter(client=client):
        if rule_set.brand_id is not None and rule_set.brand_id != brand_id:
            continue
        if rule_set.markets and not market_in(market, rule_set.markets):
            continue
        if rule_set.channels and channel not in rule_set.channels:
            continue
        chosen.append(rule_set)
    return sorted(chosen, key=lambda r: r.pk)


def market_in(market: str, markets: Sequence[str]) -> bool:
    return market_matches(market, markets)  # "DE" is in ["EU"], "US-CA" in ["US"]


def categories_of(client: Client) -> tuple[str, ...]:
    profile = ComplianceProfile.objects.filter(client=client).first()
    return tuple(profile.categories) if profile else ()


def run_rule_sets(sets: Iterable[RuleSet], subject: Subject) -> list[Found]:
    found = []
    for rule_set in sets:
        for finding in compiled(rule_set).check(subject):
            found.append(
                Found(
                    key=f"{rule_set.pk}:{finding.rule}",
                    source=rule_set.name,
                    finding=finding,
                    market=subject.market,
                    channel=subject.channel,
                )
            )
    return found


# --- asset versions ---------------------------------------------------------------------------


def version_fields(version: AssetVersion) -> dict[str, list[str]]:
    fields = {key: [str(text) for text in texts] for key, texts in (version.copy or {}).items()}
    final_url = (version.metadata or {}).get("final_url")
    if final_url:
        fields["final url"] = [str(final_url)]
    return fields


def _targets(asset: Asset) -> list[Placement]:
    if asset.campaign is None or not asset.line_keys:
        return []
    from mediadesk.delivery.services import placements_for_delivery

    wanted = set(asset.line_keys)
    return [p for p in placements_for_delivery(asset.campaign) if p.line_key in wanted]


def has_spec_rule(rule_set: RuleSet) -> bool:
    rules = rule_set.rules.get("rules", []) if isinstance(rule_set.rules, dict) else []
    return any(isinstance(rule, dict) and rule.get("kind") == "spec" for rule in rules)


def spec_findings(version: AssetVersion) -> list[Found]:
    found = []
    for item in version.findings:
        severity = Severity.BLOCKING if item.get("severity") == "blocking" else Severity.WARNING
        found.append(
            Found(
                key=f"{SPEC_SOURCE}:{item.get('spec', '')}",
                source="Creative spec",
                finding=Finding(
                    rule=str(item.get("spec", "")),
                    severity=severity,
                    message=str(item.get("message", "")),
                    field=str(item.get("field") or "") or None,
                    start=None,
                    end=None,
                ),
            )
        )
    return found


def check_version(version: AssetVersion) -> list[Found]:
    """Every finding on one asset version, with the overrides given (module docstring)."""
    asset = version.asset
    client = asset.client
    targets = _targets(asset)
    tags = {name.lower() for name in asset.tags.values_list("name", flat=True)}
    sponsored = bool(tags & SPONSORED_TAGS) or any(p.channel == "influencer" for p in targets)
    contexts = sorted({(p.market, p.channel, platform_of(p.vendor)) for p in targets})
    if not contexts:
        markets = list(asset.campaign.markets) if asset.campaign else []
        contexts = [(market, "", "") for market in markets] or [("", "", "")]
    found = version_findings(
        version,
        contexts,
        categories=categories_of(client),
        sponsored=sponsored,
        sets_for=lambda market, channel: applicable(
            client, brand_id=asset.brand_id, market=market, channel=channel
        ),
    )
    return with_overrides(found, Override.objects.filter(version=version))


def version_findings(
    version: AssetVersion,
    contexts: Iterable[tuple[str, str, str]],
    *,
    categories: tuple[str, ...],
    sponsored: bool,
    sets_for: Callable[[str, str], list[RuleSet]],
    run: Callable[[list[RuleSet], Subject], list[Found]] = run_rule_sets,
    spec_ruled_by: Callable[[RuleSet], bool] = has_spec_rule,
) -> list[Found]:
    """A version's findings in each (market, channel, platform) it runs in, before overrides.
    ``sets_for(market, channel)`` names the applicable rule sets; the attention list passes
    cached ``run`` and ``spec_ruled_by`` to check thousands of versions at once."""
    fields = version_fields(version)
    found: list[Found] = []
    spec_ruled = False
    for market, channel, platform in contexts:
        sets = sets_for(market, channel)
        subject = Subject(
            fields=fields,
            channel=channel,
            market=market,
            categories=categories,
            sponsored=sponsored,
            platform=platform,
            spec_findings=list(version.findings),
        )
        found += run(sets, subject)
        spec_ruled = spec_ruled or any(spec_ruled_by(rule_set) for rule_set in sets)
    if not spec_ruled:  # no set says how to weigh spec findings: they count as the spec says
        found += spec_findings(version)
    return unique_findings(found)


def unique_findings(found: Iterable[Found]) -> list[Found]:
    """The same finding in two markets is one finding (the first market is named)."""
    seen: dict[tuple[Any, ...], Found] = {}
    for item in found:
        f = item.finding
        seen.setdefault((item.key, f.field, f.item, f.start, f.end, f.message), item)
    return sorted(
        seen.values(),
        key=lambda i: (_RANK[i.finding.severity], i.finding.field or "", i.finding.item or 0,
                       i.finding.start or 0),
    )  # fmt: skip


_RANK = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}


def with_overrides(found: list[Found], overrides: Iterable[Override]) -> list[Found]:
    given = {(o.rule, o.field, o.item): o for o in overrides}
    return [
        Found(
            key=item.key,
            source=item.source,
            finding=item.finding,
            override=given.get((item.key, item.finding.field or "", item.finding.item)),
            market=item.market,
            channel=item.channel,
        )
        for item in found
    ]


def approval_blockers(version: AssetVersion) -> list[Found]:
    """What stops this version from being approved: blocking findings nobody overrode."""
    return [item for item in check_version(version) if item.blocks]


# --- placements and plans ---------------------------------------------------------------------


def check_placement(campaign: Campaign, placement: Placement) -> list[Found]:
    client = campaign.client
    subject = Subject(
        fields={},
        channel=placement.channel,
        market=placement.market,
        categories=categories_of(client),
        sponsored=placement.channel == "influencer",
        targeting=parse_targeting(placement.targeting),
        platform=platform_of(placement.vendor),
    )
    sets = applicable(
        client, brand_id=campaign.brand_id, market=placement.market, channel=placement.channel
    )
    overrides = Override.objects.filter(campaign=campaign, line_key=placement.line_key)
    return with_overrides(unique_findings(run_rule_sets(sets, subject)), overrides)


def check_plan(version: PlanVersion) -> list[tuple[Placement, Found]]:
    campaign = version.campaign
    return [
        (placement, item)
        for placement in version.placements.all()
        for item in check_placement(campaign, placement)
    ]


def plan_blockers(version: PlanVersion) -> list[tuple[Placement, Found]]:
    return [(placement, item) for placement, item in check_plan(version) if item.blocks]


def refuse_blocked_plan(version: PlanVersion) -> None:
    """Called before a plan is approved: blocking findings on its placements stop it."""
    blockers = plan_blockers(version)
    if blockers:
        placement, first = blockers[0]
        more = f" (and {len(blockers) - 1} more)" if len(blockers) > 1 else ""
        raise Conflict(
            f"{placement.code}: {first.finding.message}{more}. Change the placement, or ask "
            "someone with the legal role to override the finding with a reason."
        )


def refuse_blocked_version(version: AssetVersion) -> None:
    """Called before an asset version is approved: unresolved blocking findings stop it."""
    blockers = approval_blockers(version)
    if blockers:
        first = blockers[0].finding
        where = f"{first.field}: " if first.field else ""
        more = f" (and {len(blockers) - 1} more)" if len(blockers) > 1 else ""
        raise Conflict(
            f"Version {version.number} has a blocking finding: {where}{first.message}{more}. "
            "Fix it in a new version, or ask someone with the legal role to override it with "
            "a reason."
        )


# --- overrides --------------------------------------------------------------------------------


def override(
    actor: Any,
    *,
    key: str,
    field: str | None,
    item: int | None,
    reason: str,
    version: AssetVersion | None = None,
    campaign: Campaign | None = None,
    line_key: str = "",
) -> Override:
    """Let one blocking finding through, with the reason (legal role; audited)."""
    if (version is None) == (campaign is None):
        raise ValueError("Override a finding of an asset version or of a placement.")
    client = version.asset.client if version is not None else campaign.client  # type: ignore[union-attr]
    require(actor, Action.OVERRIDE_COMPLIANCE, client.pk)
    if not reason.strip():
        raise ValidationError({"reason": "Write why this finding may go through."})
    if version is not None:
        found = check_version(version)
    else:
        placement = _placement(campaign, line_key)  # type: ignore[arg-type]
        found = check_placement(campaign, placement)  # type: ignore[arg-type]
    match = next(
        (
            f
            for f in found
            if f.key == key and (f.finding.field or "") == (field or "") and f.finding.item == item
        ),
        None,
    )
    if match is None:
        raise Conflict("That finding is no longer there; check again.")
    if match.finding.severity is not Severity.BLOCKING:
        raise Conflict("Only blocking findings are overridden; warnings never stop anything.")
    if match.override is not None:
        raise Conflict(f"{match.override.by} already overrode this finding.")
    with transaction.atomic():
        given = Override.objects.create(
            client=client,
            version=version,
            campaign=campaign,
            line_key=line_key,
            rule=key,
            field=field or "",
            item=item,
            message=match.finding.message,
            reason=reason.strip(),
            by=actor,
        )
        target: Any = version.asset if version is not None else campaign
        record(
            actor=actor,
            obj=target,
            action=AuditAction.APPROVED,
            changes={"compliance override": [match.finding.message, "overridden"]},
            reason=reason.strip(),
            client_id=client.pk,
        )
    return given


def _placement(campaign: Campaign, line_key: str) -> Placement:
    """The placement as it stands in the campaign's newest plan version that has it: the one
    being approved when a draft is, the plan of record otherwise."""
    found = (
        Placement.objects.filter(version__campaign=campaign, line_key=line_key)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    if found is None:
        raise ValidationError({"line_key": f"{line_key} is not a placement of {campaign.code}."})
    return found


# --- rule sets --------------------------------------------------------------------------------


def _require_rules(actor: Any, organization: Organization, client: Client | None) -> None:
    if getattr(actor, "organization_id", None) != organization.pk:
        raise PermissionDenied("Rule sets belong to your own organization.")
    if client is not None:
        require(actor, Action.MANAGE_RULES, client.pk)
        return
    # A rule set for every client: organization admins, or people with the legal role.
    if getattr(actor, "is_org_admin", False):
        return
    if Membership.objects.filter(user=actor, role=Role.LEGAL).exists():
        return
    raise PermissionDenied(
        "Rule sets for every client are kept by organization admins and the legal role."
    )


def _validated(data: Any) -> dict[str, Any]:
    try:
        return rule_set_data(parse_rule_set(data))
    except RuleError as exc:
        raise ValidationError({"rules": str(exc)}) from exc


def _scope(
    organization: Organization,
    client: Client | None,
    brand: Brand | None,
    markets: Sequence[str],
    channels: Sequence[str],
) -> tuple[list[str], list[str]]:
    if client is not None and client.organization_id != organization.pk:
        raise ValidationError({"client": "The client belongs to another organization."})
    if brand is not None and (client is None or brand.client_id != client.pk):
        raise ValidationError({"brand": "Choose a brand of the rule set's client."})
    codes = [m.strip().upper() for m in markets if m.strip()]
    bad = [m for m in codes if not (2 <= len(m.split("-")[0]) <= 2 or m == "EU")]
    if bad:
        raise ValidationError({"markets": f"{', '.join(bad)}: use country codes such as DE or US."})
    return codes, [c.strip() for c in channels if c.strip()]


def save_rule_set(
    actor: Any,
    *,
    organization: Organization,
    name: str,
    rules: Any,
    client: Client | None = None,
    brand: Brand | None = None,
    markets: Sequence[str] = (),
    channels: Sequence[str] = (),
    description: str = "",
    rule_set: RuleSet | None = None,
    starter: str = "",
) -> RuleSet:
    """Create a rule set, or save a new revision of one; the rules are checked first."""
    _require_rules(actor, organization, client)
    if rule_set is not None:
        _require_rules(actor, organization, rule_set.client)
    if not name.strip():
        raise ValidationError({"name": "Name the rule set."})
    data = _validated(rules)
    market_codes, channel_names = _scope(organization, client, brand, markets, channels)
    with transaction.atomic():
        if rule_set is None:
            rule_set = RuleSet(organization=organization, starter=starter)
            action = AuditAction.CREATED
            before: dict[str, Any] = {}
        else:
            rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
            action = AuditAction.UPDATED
            before = {"rules": rule_set.rule_count, "revision": rule_set.revision}
            rule_set.revision += 1
        rule_set.name = name.strip()[:200]
        rule_set.description = description
        rule_set.client = client
        rule_set.brand = brand
        rule_set.markets = market_codes
        rule_set.channels = channel_names
        rule_set.rules = data
        rule_set.updated_at = timezone.now()
        rule_set.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        rule_set.save()
        record(
            actor=actor,
            obj=rule_set,
            action=action,
            changes={
                "rules": [before.get("rules"), rule_set.rule_count],
                "revision": [before.get("revision"), rule_set.revision],
            },
            client_id=client.pk if client else None,
        )
    return rule_set


def import_rule_set(
    actor: Any,
    *,
    organization: Organization,
    text: str,
    filename: str,
    name: str = "",
    rule_set: RuleSet | None = None,
    **scope: Any,
) -> RuleSet:
    """A rule file (YAML or JSON) as a new rule set, or as the next revision of one."""
    try:
        parsed = read_rule_file(text, filename)
    except RuleFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    return save_rule_set(
        actor,
        organization=organization,
        name=name or (rule_set.name if rule_set else filename.rsplit(".", 1)[0]),
        rules=rule_set_data(parsed),
        rule_set=rule_set,
        client=scope.get("client", rule_set.client if rule_set else None),
        brand=scope.get("brand", rule_set.brand if rule_set else None),
        markets=scope.get("markets", rule_set.markets if rule_set else ()),
        channels=scope.get("channels", rule_set.channels if rule_set else ()),
        description=scope.get("description", rule_set.description if rule_set else ""),
    )


def export_rule_set(rule_set: RuleSet, fmt: str = "yaml") -> str:
    return dump_rule_set(parse_rule_set(rule_set.rules), fmt)


def archive_rule_set(actor: Any, rule_set: RuleSet, reason: str = "") -> RuleSet:
    _require_rules(actor, rule_set.organization, rule_set.client)
    if rule_set.archived_at is None:
        rule_set.archived_at = timezone.now()
        rule_set.save(update_fields=["archived_at"])
        record(actor=actor, obj=rule_set, action=AuditAction.ARCHIVED, reason=reason,
               client_id=rule_set.client_id)  # fmt: skip
    return rule_set


def set_categories(actor: Any, client: Client, categories: Sequence[str]) -> ComplianceProfile:
    require(actor, Action.MANAGE_RULES, client.pk)
    wanted = sorted({c for c in categories if c})
    unknown = [c for c in wanted if c not in CATEGORIES]
    if unknown:
        raise ValidationError(
            {"categories": f"{', '.join(unknown)}: choose from {', '.join(CATEGORIES)}."}
        )
    with transaction.atomic():
        profile, _ = ComplianceProfile.objects.get_or_create(client=client)
        before = list(profile.categories)
        profile.categories = wanted
        profile.save()
        record(actor=actor, obj=profile, action=AuditAction.UPDATED,
               changes={"categories": [", ".join(before), ", ".join(wanted)]},
               client_id=client.pk)  # fmt: skip
    return profile


def check_text(rules: Any, subject: Mapping[str, Any]) -> list[Finding]:
    """Lint copy against inline rules or a saved rule set's (the API's /compliance/check)."""
    try:
        parsed = parse_rule_set(rules)
    except RuleError as exc:
        raise ValidationError({"rule_set": str(exc)}) from exc
    return CompiledRules(parsed).check(subject_from(subject))


def subject_from(data: Mapping[str, Any]) -> Subject:
    """A subject from plain JSON: fields (text or list of texts), channel, market, categories,
    sponsored and targeting (text, or min_age/max_age/interests/excluded)."""
    fields: dict[str, list[str]] = {}
    for name, value in dict(data.get("fields") or {}).items():
        texts = value if isinstance(value, list) else [value]
        if not all(isinstance(text, str) for text in texts):
            raise ValidationError({f"fields.{name}": "A field holds text or a list of texts."})
        fields[str(name)] = list(texts)
    targeting = data.get("targeting")
    from mediadesk.domain.rules import Targeting

    if isinstance(targeting, str):
        parsed_targeting = parse_targeting(targeting)
    elif isinstance(targeting, Mapping):
        try:
            parsed_targeting = Targeting(
                min_age=targeting.get("min_age"),
                max_age=targeting.get("max_age"),
                interests=tuple(targeting.get("interests") or ()),
                excluded=tuple(targeting.get("excluded") or ()),
            )
        except (TypeError, ValueError) as exc:
            raise ValidationError({"targeting": str(exc)}) from exc
    else:
        parsed_targeting = None
    return Subject(
        fields=fields,
        channel=str(data.get("channel") or ""),
        market=str(data.get("market") or "").upper(),
        categories=tuple(str(c) for c in data.get("categories") or ()),
        sponsored=bool(data.get("sponsored")),
        targeting=parsed_targeting,
        platform=str(data.get("platform") or ""),
    )
