"""The Media Plan Open Data Standard v3.0 (mediaplanschema) and mediadesk's plans, both ways.

A v3.0 document is one JSON object: ``meta`` (the document), ``campaign``, ``lineitems`` (one per
placement) and an optional ``dictionary`` that gives captions to the custom slots. This module
maps plain mediadesk values to that document (``to_open_plan``), reads a document back into
mediadesk terms (``from_open_plan``) and turns what was read into placement values
(``placement_values``). It never touches the database.

How a placement maps onto a line item:

=======================  ==========================================================================
mediadesk                the standard
=======================  ==========================================================================
code                     id
name                     name (a blank name is written as "vendor · property · format" and
                         comes back blank)
channel                  channel, coarse (TV, Radio, Audio, Print, OOH, Search, Social, Display,
                         Video, Other + channel_custom); the exact channel in dim_custom2
                         ("Sub-channel", our label)
vendor                   partner
property_name            vehicle
format                   adformat
market                   location_name (location_type "Country" for a two-letter code)
targeting                target_audience
start, end               start_date, end_date
cost_model               dim_custom1 ("Cost model": CPM, CPC, …, Per spot, Flat fee); the
                         standard has no cost-model field
quantity                 the metric the model counts: metric_impressions (CPM), metric_clicks
                         (CPC), metric_conversions (CPA), metric_leads (CPL), metric_views (CPV),
                         metric_view_completions (CPCV), metric_engagements (CPE), metric_units
                         (per spot, per insertion), metric_custom1 "GRPs" (CPP); none for a flat fee
rate                     metric_formulas[that metric]: cost_per_unit of cost_total, coefficient =
                         rate per unit (CPM rate / 1000), as the standard's SDK defines it
cost (gross)             cost_total
net_cost                 cost_media; gross − net (the agency commission) is cost_buying
currency                 cost_currency
universe                 metric_audience_size
kpi_targets              kpi + kpi_value (the first target, for other tools)
spot_length, flighting,  custom_properties["mediadesk"] (no slot in the standard), with
weights, commission %,   kpi_targets and notes kept exactly
fees, material deadline
=======================  ==========================================================================

Reading a document that mediadesk did not write: channel words are mapped (a broad "Digital" is
narrowed by the line's vehicle, product and format words); a line that names no cost model is
priced by the metric it carries (impressions → CPM, …), else as a flat fee; a line in another
currency is converted with its ``cost_currency_exchange_rate``. Every such guess, and every value
that could not be taken, is a sentence in ``problems``: nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mediadesk.domain.costmodels import COST_MODEL_LABELS, CostModel, PricingError, price
from mediadesk.domain.money import CURRENCY_MINOR_UNITS

SCHEMA_VERSION = "3.0"
# The custom_properties key that holds mediadesk's values the standard has no slot for.
PROPERTY_KEY = "mediadesk"

# --- vocabularies ---------------------------------------------------------------------------

# The same values and labels as mediadesk.planning.choices.Channel (a test keeps them equal).
CHANNEL_LABELS: dict[str, str] = {
    "linear_tv": "Linear TV",
    "ctv_ott": "CTV / OTT",
    "radio": "Radio",
    "streaming_audio": "Streaming audio",
    "podcast": "Podcast",
    "newspaper": "Newspaper",
    "magazine": "Magazine",
    "ooh": "Out-of-home",
    "dooh": "Digital out-of-home",
    "cinema": "Cinema",
    "search": "Search",
    "social": "Social",
    "display": "Display / programmatic",
    "online_video": "Online video",
    "influencer": "Influencer",
    "email": "E-mail / newsletter",
    "native": "Native",
    "affiliate": "Affiliate",
    "retail_media": "Retail media",
}

# The standard's channel is free text; its own examples are Digital, TV, Radio, Print and its
# SDK's list is social, search, display, video, audio, tv, ooh, print, other. We write those
# words (title case, as in the standard's examples), "Other" plus channel_custom where none fits.
CHANNEL_TO_STANDARD: dict[str, str] = {
    "linear_tv": "TV",
    "ctv_ott": "TV",
    "radio": "Radio",
    "streaming_audio": "Audio",
    "podcast": "Audio",
    "newspaper": "Print",
    "magazine": "Print",
    "ooh": "OOH",
    "dooh": "OOH",
    "cinema": "Other",
    "search": "Search",
    "social": "Social",
    "display": "Display",
    "online_video": "Video",
    "influencer": "Social",
    "email": "Other",
    "native": "Display",
    "affiliate": "Other",
    "retail_media": "Other",
}

# Channel words (lower case) other plans use -> mediadesk's channel. Words in BROAD_CHANNELS
# cover several of ours and are narrowed by the line's other words (see _narrow_channel).
CHANNEL_FROM_STANDARD: dict[str, str] = {
    **{value: value for value in CHANNEL_LABELS},
    **{label.lower(): value for value, label in CHANNEL_LABELS.items()},
    "tv": "linear_tv",
    "television": "linear_tv",
    "broadcast tv": "linear_tv",
    "ctv": "ctv_ott",
    "ott": "ctv_ott",
    "connected tv": "ctv_ott",
    "audio": "streaming_audio",
    "digital audio": "streaming_audio",
    "podcasts": "podcast",
    "print": "newspaper",
    "press": "newspaper",
    "newspapers": "newspaper",
    "magazines": "magazine",
    "out of home": "ooh",
    "outdoor": "ooh",
    "dooh": "dooh",
    "paid search": "search",
    "sem": "search",
    "paid social": "social",
    "social media": "social",
    "display": "display",
    "programmatic": "display",
    "video": "online_video",
    "olv": "online_video",
    "digital video": "online_video",
    "influencers": "influencer",
    "influencer marketing": "influencer",
    "email": "email",
    "e-mail": "email",
    "newsletter": "email",
    "affiliates": "affiliate",
    "commerce media": "retail_media",
    "digital": "display",
    "online": "display",
    "other": "display",
}

# Broad words and the channels they may stand for; the first is taken when nothing narrows it.
BROAD_CHANNELS: dict[str, tuple[str, ...]] = {
    "digital": ("display", "search", "social", "online_video", "ctv_ott", "streaming_audio",
                "podcast", "dooh", "native", "email", "affiliate", "retail_media", "influencer"),
    "online": ("display", "search", "social", "online_video", "ctv_ott", "streaming_audio",
               "podcast", "native", "email", "affiliate", "retail_media", "influencer"),
    "other": ("display", "cinema", "email", "affiliate", "retail_media", "influencer", "search",
              "social", "online_video", "native", "podcast"),
    "print": ("newspaper", "magazine"),
    "audio": ("streaming_audio", "podcast", "radio"),
    "tv": ("linear_tv", "ctv_ott"),
    "video": ("online_video", "ctv_ott"),
    "ooh": ("ooh", "dooh"),
}  # fmt: skip
# Broad words a planner reads as one channel anyway (no problem sentence when taken as such).
_PLAIN_BROAD = {"tv", "video", "ooh"}

# Words in a line's vehicle, partner, product, format, inventory or name -> the channel they hint.
CHANNEL_HINTS: tuple[tuple[str, str], ...] = (
    ("podcast", "podcast"),
    ("connected tv", "ctv_ott"),
    ("ctv", "ctv_ott"),
    ("ott", "ctv_ott"),
    ("dooh", "dooh"),
    ("digital out", "dooh"),
    ("search", "search"),
    ("sem", "search"),
    ("influencer", "influencer"),
    ("creator", "influencer"),
    ("creators", "influencer"),
    ("youtube", "online_video"),
    ("video", "online_video"),
    ("pre-roll", "online_video"),
    ("in-stream", "online_video"),
    ("instream", "online_video"),
    ("linkedin", "social"),
    ("facebook", "social"),
    ("instagram", "social"),
    ("meta", "social"),
    ("tiktok", "social"),
    ("snapchat", "social"),
    ("pinterest", "social"),
    ("reddit", "social"),
    ("twitter", "social"),
    ("social", "social"),
    ("newsletter", "email"),
    ("email", "email"),
    ("e-mail", "email"),
    ("native", "native"),
    ("affiliate", "affiliate"),
    ("retail", "retail_media"),
    ("sponsored product", "retail_media"),
    ("spotify", "streaming_audio"),
    ("audio", "streaming_audio"),
    ("radio", "radio"),
    ("cinema", "cinema"),
    ("magazine", "magazine"),
    ("newspaper", "newspaper"),
    ("display", "display"),
    ("banner", "display"),
    ("programmatic", "display"),
)

# Cost models: the standard has no field for one; we write our label in a custom dimension.
COST_MODEL_TO_STANDARD: dict[str, str] = {
    model.value: COST_MODEL_LABELS[model] for model in CostModel
}
COST_MODEL_FROM_STANDARD: dict[str, str] = {
    **{model.value: model.value for model in CostModel},
    **{label.lower(): model for model, label in COST_MODEL_TO_STANDARD.items()},
    "per_spot": "per_spot",
    "spot": "per_spot",
    "spots": "per_spot",
    "cost per spot": "per_spot",
    "per insertion": "per_insertion",
    "insertion": "per_insertion",
    "insertions": "per_insertion",
    "flat": "flat",
    "fixed": "flat",
    "fixed fee": "flat",
    "flat rate": "flat",
    "sponsorship": "flat",
    "cpt": "cpm",  # cost per thousand
    "tkp": "cpm",  # Tausend-Kontakt-Preis, the German CPM
    "cost per mille": "cpm",
    "cost per thousand": "cpm",
    "cost per click": "cpc",
    "cost per acquisition": "cpa",
    "cost per action": "cpa",
    "cost per lead": "cpl",
    "cost per view": "cpv",
    "cost per completed view": "cpcv",
    "cpvc": "cpcv",
    "cost per engagement": "cpe",
    "cost per point": "cpp",
    "cost per rating point": "cpp",
    "cprp": "cpp",
    "cpgrp": "cpp",
}

# The metric that holds a placement's quantity under each cost model (None: a flat fee is one).
COST_MODEL_METRIC: dict[str, str | None] = {
    "cpm": "metric_impressions",
    "cpc": "metric_clicks",
    "cpa": "metric_conversions",
    "cpl": "metric_leads",
    "cpv": "metric_views",
    "cpcv": "metric_view_completions",
    "cpe": "metric_engagements",
    "cpp": "metric_custom1",  # captioned "GRPs" in the dictionary
    "per_spot": "metric_units",
    "per_insertion": "metric_units",
    "flat": None,
}

# The same values as mediadesk.planning.choices.Kpi and Flighting (a test keeps them equal).
KPI_TO_STANDARD: dict[str, str] = {
    "impressions": "Impressions",
    "reach": "Reach",
    "frequency": "Frequency",
    "grps": "GRPs",
    "cpm": "CPM",
    "cpc": "CPC",
    "ctr": "CTR",
    "cpa": "CPA",
    "cpl": "CPL",
    "cpv": "CPV",
    "vcr": "VCR",
    "roas": "ROAS",
    "conversions": "Conversions",
}
# Campaign KPIs "should reference a metric" of the line items where one exists.
KPI_METRICS: dict[str, str] = {
    "impressions": "metric_impressions",
    "reach": "metric_reach",
    "conversions": "metric_conversions",
}
KPI_FROM_STANDARD: dict[str, str] = {
    **{kpi: kpi for kpi in KPI_TO_STANDARD},
    **{label.lower(): kpi for kpi, label in KPI_TO_STANDARD.items()},
    **{metric: kpi for kpi, metric in KPI_METRICS.items()},
    "grp": "grps",
    "video completion rate": "vcr",
}
FLIGHTINGS = ("continuous", "weighted", "pulsing")

# Custom slots mediadesk writes, with the captions the dictionary gives them.
COST_MODEL_DIM = "dim_custom1"
COST_MODEL_CAPTION = "Cost model"
SUB_CHANNEL_DIM = "dim_custom2"
SUB_CHANNEL_CAPTION = "Sub-channel"
GRP_METRIC = "metric_custom1"
GRP_CAPTION = "GRPs"
# Captions (lower case) under which other tools keep the same things.
COST_MODEL_CAPTIONS = {"cost model", "pricing model", "cost type", "rate type", "buy model",
                       "unit type", "pricing", "cost basis"}  # fmt: skip
SUB_CHANNEL_CAPTIONS = {"sub-channel", "subchannel", "sub channel", "media type"}
GRP_CAPTIONS = {"grps", "grp", "gross rating points", "rating points", "trps", "tarps"}

# Longest text each placement field takes (the same as the Placement model; a test checks).
FIELD_LIMITS: dict[str, int] = {
    "code": 120, "name": 200, "vendor": 200, "property_name": 200, "market": 100,
    "format": 100, "targeting": 300,
}  # fmt: skip

# Standard line-item fields mediadesk has no field for but a coordinator wants to read:
# they are written into the placement's notes on import, in this order.
NOTE_FIELDS: tuple[tuple[str, str], ...] = (
    ("media_product", "Media product"),
    ("media_product_custom", "Media product"),
    ("dayparts", "Dayparts"),
    ("dayparts_custom", "Dayparts"),
    ("inventory", "Inventory"),
    ("inventory_custom", "Inventory"),
    ("buy_type", "Buy type"),
    ("buy_commitment", "Buy commitment"),
    ("kpi", "KPI"),
    ("kpi_custom", "KPI"),
    ("kpi_value", "KPI target"),
    ("channel_custom", "Channel"),
    ("vehicle_custom", "Vehicle"),
    ("partner_custom", "Partner"),
    ("adformat_custom", "Ad format"),
)

_LINE_REQUIRED = ("id", "name", "start_date", "end_date", "cost_total")
_CAMPAIGN_REQUIRED = ("id", "name", "start_date", "end_date", "budget_total")
_THOUSAND = Decimal(1000)
_ONE = Decimal(1)
_ISO_COUNTRY = re.compile(r"[A-Z]{2}")


class OpenPlanError(ValueError):
    """A document that is not a v3.0 media plan, or lacks a part the standard requires."""


@dataclass(frozen=True, slots=True)
class OpenLine:
    """One placement's values in mediadesk terms, as read from a line item."""

    code: str
    name: str
    channel: str
    vendor: str
    property_name: str
    market: str
    format: str
    start: date
    end: date
    cost_model: str
    rate: Decimal | None
    quantity: Decimal | None
    cost: Decimal
    currency: str
    targeting: str
    notes: str
    kpi_targets: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)  # standard fields we keep, unmodelled
    # mediadesk's own values from custom_properties (None / defaults when another tool wrote it)
    spot_length: int | None = None
    flighting: str = "continuous"
    weights: dict[str, str] = field(default_factory=dict)
    commission_percent: Decimal | None = None
    fees: Decimal | None = None
    universe: Decimal | None = None
    material_deadline: date | None = None
    exchange_rate: Decimal | None = None  # cost_currency_exchange_rate: line → plan currency
    number: int = 0  # position in the document's lineitems, from 1


@dataclass(frozen=True, slots=True)
class OpenPlan:
    plan_id: str
    name: str
    campaign_name: str
    campaign_code: str
    start: date
    end: date
    budget: Decimal
    currency: str
    objective: str
    lines: list[OpenLine]
    problems: list[str]  # one sentence per value that could not be taken as it was
    dictionary: dict[str, object] = field(default_factory=dict)  # the document's, for captions


# --- mediadesk -> standard --------------------------------------------------------------------


def to_open_plan(
    meta: Mapping[str, object],
    campaign: Mapping[str, object],
    lines: Sequence[Mapping[str, object]],
) -> dict[str, object]:
    """The v3.0 document for a plan version, from plain values (JSON types only: no Decimals).

    ``meta`` uses the standard's own keys (id, name, created_by_id, created_by_name, created_at
    as a datetime or ISO text, comments, is_current, is_archived, parent_id, custom_properties).
    ``campaign`` uses mediadesk's: code, name, start, end, budget, currency, objective (text),
    objectives, kpi_targets, markets, status, status_label, client_code, client_name, brand,
    organization. Each line uses the Placement's field names (net_cost included).
    """
    items = [_lineitem(number, line) for number, line in enumerate(lines, start=1)]
    document: dict[str, object] = {
        "meta": _meta(meta),
        "campaign": _campaign(campaign),
        "lineitems": items,
    }
    dictionary = _dictionary(items)
    if dictionary:
        document["dictionary"] = dictionary
    return document


def _meta(meta: Mapping[str, object]) -> dict[str, object]:
    created = meta.get("created_at")
    if isinstance(created, datetime):
        if created.tzinfo is None:
            raise OpenPlanError("The plan's creation time needs a time zone (date-time format).")
        created_text = created.isoformat()
    elif isinstance(created, str) and created:
        created_text = created
    else:
        raise OpenPlanError("The plan needs its creation time (meta.created_at).")
    result: dict[str, object] = {
        "id": _required_text(meta, "id", "meta"),
        "schema_version": SCHEMA_VERSION,
        "created_by_name": _required_text(meta, "created_by_name", "meta"),
        "created_at": created_text,
    }
    for key in ("name", "created_by_id", "comments", "parent_id"):
        text = _text(meta.get(key))
        if text:
            result[key] = text
    for key in ("is_current", "is_archived"):
        flag = meta.get(key)
        if isinstance(flag, bool):
            result[key] = flag
    custom = meta.get("custom_properties")
    if isinstance(custom, Mapping) and custom:
        result["custom_properties"] = _jsonable(custom)
    return result


def _campaign(campaign: Mapping[str, object]) -> dict[str, object]:
    budget = _decimal(campaign.get("budget"))
    if budget is None:
        raise OpenPlanError("The campaign needs a budget (budget_total is required).")
    result: dict[str, object] = {
        "id": _required_text(campaign, "code", "campaign"),
        "name": _required_text(campaign, "name", "campaign"),
        "start_date": _required_date(campaign, "start", "campaign").isoformat(),
        "end_date": _required_date(campaign, "end", "campaign").isoformat(),
        "budget_total": _number(budget),
    }
    optional = {
        "objective": "objective",
        "budget_currency": "currency",
        "agency_name": "organization",
        "advertiser_id": "client_code",
        "advertiser_name": "client_name",
        "product_name": "brand",
        "workflow_status_id": "status",
        "workflow_status_name": "status_label",
    }
    for standard, ours in optional.items():
        text = _text(campaign.get(ours))
        if text:
            result[standard] = text
    markets = [m for m in _list(campaign.get("markets")) if isinstance(m, str) and m.strip()]
    if markets:
        result["target_locations"] = [_location(market) for market in markets]
    targets = _kpi_list(campaign.get("kpi_targets"))
    for slot, target in enumerate(targets[:5], start=1):
        value = _decimal(target.get("target"))
        result[f"kpi_name{slot}"] = KPI_METRICS.get(
            target["kpi"], KPI_TO_STANDARD.get(target["kpi"], target["kpi"])
        )
        if value is not None:
            result[f"kpi_value{slot}"] = _number(value)
    own = {
        "objectives": [str(v) for v in _list(campaign.get("objectives"))],
        "kpi_targets": targets,
        "markets": markets,
    }
    result["custom_properties"] = {PROPERTY_KEY: own}
    return result


def _location(market: str) -> dict[str, object]:
    market = market.strip()
    if _ISO_COUNTRY.fullmatch(market):
        return {"name": market, "location_type": "Country", "location_list": [market]}
    return {"name": market}


def _lineitem(number: int, line: Mapping[str, object]) -> dict[str, object]:
    code = _text(line.get("code"))
    where = f"Line {number} ({code or 'no code'})"
    channel = _text(line.get("channel"))
    if channel not in CHANNEL_TO_STANDARD:
        raise OpenPlanError(f"{where}: {channel!r} is not a mediadesk channel.")
    model = _text(line.get("cost_model"))
    if model not in COST_MODEL_TO_STANDARD:
        raise OpenPlanError(f"{where}: {model!r} is not a mediadesk cost model.")
    cost = _decimal(line.get("cost"))
    if cost is None:
        raise OpenPlanError(f"{where}: the line has no cost.")
    rate = _decimal(line.get("rate"))
    quantity = _decimal(line.get("quantity"))
    name = _text(line.get("name"))
    vendor = _text(line.get("vendor"))
    property_name = _text(line.get("property_name"))
    unit = _text(line.get("format"))
    market = _text(line.get("market"))
    targeting = _text(line.get("targeting"))
    currency = _text(line.get("currency"))
    item: dict[str, object] = {
        "id": code,
        "name": name or fallback_name(vendor, property_name, unit, code),
        "start_date": _required_date(line, "start", where).isoformat(),
        "end_date": _required_date(line, "end", where).isoformat(),
        "channel": CHANNEL_TO_STANDARD[channel],
    }
    if CHANNEL_TO_STANDARD[channel] == "Other":
        item["channel_custom"] = CHANNEL_LABELS[channel]
    if property_name:
        item["vehicle"] = property_name
    if vendor:
        item["partner"] = vendor
    if market:
        if _ISO_COUNTRY.fullmatch(market):
            item["location_type"] = "Country"
        item["location_name"] = market
    if targeting:
        item["target_audience"] = targeting
    if unit:
        item["adformat"] = unit
    targets = _kpi_list(line.get("kpi_targets"))
    if targets:
        first = targets[0]
        item["kpi"] = KPI_TO_STANDARD.get(first["kpi"], first["kpi"])
        value = _decimal(first.get("target"))
        if value is not None:
            item["kpi_value"] = _number(value)
    item[COST_MODEL_DIM] = COST_MODEL_TO_STANDARD[model]
    item[SUB_CHANNEL_DIM] = CHANNEL_LABELS[channel]
    if currency:
        item["cost_currency"] = currency
    item["cost_total"] = _number(cost)
    net = _decimal(line.get("net_cost"))
    if net is not None:
        item["cost_media"] = _number(net)
        item["cost_buying"] = _number(cost - net)
    metric = COST_MODEL_METRIC[model]
    if metric is not None and quantity is not None:
        item[metric] = _number(quantity)
    universe = _decimal(line.get("universe"))
    if universe is not None:
        item["metric_audience_size"] = _number(universe)
    if metric is not None and rate is not None:
        item["metric_formulas"] = {
            metric: {
                "formula_type": "cost_per_unit",
                "base_metric": "cost_total",
                "coefficient": _number(rate / _per(model)),
            }
        }
    item["custom_properties"] = {PROPERTY_KEY: _own_values(line, name)}
    return item


def _own_values(line: Mapping[str, object], name: str) -> dict[str, object]:
    """mediadesk's values the standard has no slot for, exactly (Decimals as text)."""
    spot = line.get("spot_length")
    deadline = line.get("material_deadline")
    weights = line.get("weights")
    own: dict[str, object] = {
        "spot_length": spot if isinstance(spot, int) and not isinstance(spot, bool) else None,
        "flighting": _text(line.get("flighting")) or "continuous",
        "weights": {str(k): _plain(v) for k, v in weights.items()}
        if isinstance(weights, Mapping)
        else {},
        "commission_percent": _plain(line.get("commission_percent")),
        "fees": _plain(line.get("fees")),
        "material_deadline": _iso(deadline),
        "kpi_targets": _kpi_list(line.get("kpi_targets")),
        "notes": _text(line.get("notes")),
    }
    if not name:
        own["name"] = ""  # the standard's name is required; ours was blank
    return own


def _dictionary(items: Sequence[Mapping[str, object]]) -> dict[str, object]:
    if not items:
        return {}
    metrics: dict[str, object] = {}
    custom_metrics: dict[str, object] = {}
    for item in items:
        formulas = item.get("metric_formulas")
        if not isinstance(formulas, Mapping):
            continue
        for metric in formulas:
            config = {"formula_type": "cost_per_unit", "base_metric": "cost_total"}
            if metric == GRP_METRIC:
                custom_metrics[metric] = {"status": "enabled", "caption": GRP_CAPTION, **config}
            else:
                metrics[metric] = config
    if any(GRP_METRIC in item for item in items) and GRP_METRIC not in custom_metrics:
        custom_metrics[GRP_METRIC] = {"status": "enabled", "caption": GRP_CAPTION}
    dictionary: dict[str, object] = {
        "lineitem_custom_dimensions": {
            COST_MODEL_DIM: {"status": "enabled", "caption": COST_MODEL_CAPTION},
            SUB_CHANNEL_DIM: {"status": "enabled", "caption": SUB_CHANNEL_CAPTION},
        }
    }
    if metrics:
        dictionary["standard_metrics"] = dict(sorted(metrics.items()))
    if custom_metrics:
        dictionary["custom_metrics"] = custom_metrics
    return dictionary


def fallback_name(vendor: str, property_name: str, unit: str, code: str) -> str:
    """The line-item name written for a placement without a name (the standard requires one)."""
    return " · ".join(part for part in (vendor, property_name, unit) if part) or code


# --- standard -> mediadesk --------------------------------------------------------------------


def from_open_plan(document: Mapping[str, object]) -> OpenPlan:
    """Read a v3.0 document; OpenPlanError says in one sentence why a document cannot be read."""
    if not isinstance(document, Mapping):
        raise OpenPlanError(
            "An open media plan is a JSON object with meta, campaign and lineitems; "
            f"this file holds a {type(document).__name__}."
        )
    meta = _section(document, "meta")
    _check_version(meta.get("schema_version"))
    campaign = _section(document, "campaign")
    missing = [key for key in _CAMPAIGN_REQUIRED if campaign.get(key) in (None, "")]
    if missing:
        raise OpenPlanError(
            f"The campaign lacks {_and(missing)}, which version 3.0 of the standard requires."
        )
    items = document.get("lineitems")
    if not isinstance(items, list):
        raise OpenPlanError(
            "The document has no lineitems list; a media plan needs one (it may be empty)."
        )
    raw_dictionary = document.get("dictionary")
    dictionary = dict(raw_dictionary) if isinstance(raw_dictionary, Mapping) else {}
    problems: list[str] = []
    if raw_dictionary is not None and not isinstance(raw_dictionary, Mapping):
        problems.append("The dictionary is not an object; custom field captions were not read.")
    currency = _text(campaign.get("budget_currency")).upper()
    captions = _Captions(dictionary)
    lines: list[OpenLine] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise OpenPlanError(f"Line item {number} is not an object.")
        ident = _text(item.get("id"))
        if ident and ident.casefold() in seen:
            raise OpenPlanError(
                f"Line items {seen[ident.casefold()]} and {number} share the id {ident!r}; "
                "the standard gives every line item its own id."
            )
        seen[ident.casefold()] = number
        line = _LineReader(number, item, captions, currency, problems).read()
        if line is not None:
            lines.append(line)
    budget = _document_number(campaign.get("budget_total"), "The campaign's budget_total")
    return OpenPlan(
        plan_id=_text(meta.get("id")),
        name=_text(meta.get("name")) or _text(campaign.get("name")),
        campaign_name=_text(campaign.get("name")),
        campaign_code=_text(campaign.get("id")),
        start=_document_date(campaign.get("start_date"), "The campaign's start_date"),
        end=_document_date(campaign.get("end_date"), "The campaign's end_date"),
        budget=budget,
        currency=currency,
        objective=_text(campaign.get("objective")),
        lines=lines,
        problems=problems,
        dictionary=dictionary,
    )


def _section(document: Mapping[str, object], name: str) -> Mapping[str, object]:
    section = document.get(name)
    if not isinstance(section, Mapping):
        raise OpenPlanError(
            f"The document has no {name} object; it is not a Media Plan Open Data Standard plan "
            "(meta, campaign and lineitems are required)."
        )
    return section


def _check_version(version: object) -> None:
    if version in (None, ""):
        raise OpenPlanError(
            "The document does not say which version of the standard it follows "
            "(meta.schema_version); mediadesk reads version 3.0."
        )
    text = str(version).strip().lower().removeprefix("v")
    if text.split(".")[0] != "3":
        raise OpenPlanError(
            f"The document follows version {version} of the standard; mediadesk reads version "
            "3.0 (the standard's migration guide upgrades a 2.0 plan)."
        )


class _Captions:
    """Which custom slot holds what, by the captions in the document's dictionary."""

    def __init__(self, dictionary: Mapping[str, object]) -> None:
        self.dimensions = _slot_captions(dictionary.get("lineitem_custom_dimensions"))
        self.metrics = _slot_captions(dictionary.get("custom_metrics"))

    def dimension(self, captions: set[str]) -> str | None:
        return next((s for s, c in self.dimensions.items() if c.lower() in captions), None)

    def metric(self, captions: set[str]) -> str | None:
        return next((s for s, c in self.metrics.items() if c.lower() in captions), None)


def _slot_captions(group: object) -> dict[str, str]:
    if not isinstance(group, Mapping):
        return {}
    captions = {}
    for slot, config in group.items():
        if isinstance(config, Mapping) and config.get("status", "enabled") == "enabled":
            caption = _text(config.get("caption"))
            if caption:
                captions[str(slot)] = caption
    return captions


class _LineReader:
    """Reads one line item, noting which fields it took, so the rest land in ``extra``."""

    def __init__(
        self,
        number: int,
        item: Mapping[str, object],
        captions: _Captions,
        currency: str,
        problems: list[str],
    ) -> None:
        self.number = number
        self.item = item
        self.captions = captions
        self.plan_currency = currency
        self.problems = problems
        self.used: set[str] = set()
        self.leftover: dict[str, object] = {}  # parts of used objects that were not taken
        self.code = _text(item.get("id"))
        self.where = f"line {number} ({self.code or 'no id'})"

    def read(self) -> OpenLine | None:
        what = f"Line item {self.number} ({self.code or 'no id'})"
        missing = [key for key in _LINE_REQUIRED if self.item.get(key) is None]
        if missing:
            raise OpenPlanError(
                f"{what} lacks {_and(missing)}; the standard requires id, name, start_date, "
                "end_date and cost_total."
            )
        self.used.update(_LINE_REQUIRED)
        if self.item.get("is_aggregate") is True:
            level = _text(self.item.get("aggregation_level"))
            self.problems.append(
                f"{self.where} holds aggregate values{f' ({level} level)' if level else ''}, "
                "not a placement; it is not imported."
            )
            return None
        self.used.update({"is_aggregate", "aggregation_level"})
        start = _document_date(self.item["start_date"], f"{what}: start_date")
        end = _document_date(self.item["end_date"], f"{what}: end_date")
        cost = _document_number(self.item["cost_total"], f"{what}: cost_total")
        if cost < 0:
            raise OpenPlanError(f"{what}: cost_total is negative ({cost}).")
        if cost >= _MAX_COST:
            raise OpenPlanError(f"{what}: cost_total {cost} is too large for a placement.")
        own = self._own()
        vendor = self._first_text("partner", "partner_custom", "vehicle", "vehicle_custom")
        property_name = self._first_text("vehicle", "vehicle_custom")
        unit = self._first_text("adformat", "adformat_custom")
        market = self._first_text("location_name")
        if market:
            self.used.add("location_type")  # it only qualifies the location name
        channel = self._channel()
        model, rate, quantity = self._pricing(channel, cost)
        currency = self._first_text("cost_currency").upper() or self.plan_currency
        if currency and currency not in CURRENCY_MINOR_UNITS:
            self.problems.append(
                f"{self.where}: {currency!r} is not a currency mediadesk knows; "
                "the line cannot be imported in it."
            )
        exchange_rate = self._metric("cost_currency_exchange_rate")
        universe = self._metric("metric_audience_size")
        name = _text(self.item.get("name"))
        if own.get("name") == "" and name == fallback_name(vendor, property_name, unit, self.code):
            name = ""
        if own:
            # Derived from the gross cost and mediadesk's commission: nothing of their own.
            self.used.update({"cost_media", "cost_buying"})
        targets = self._kpi_targets(own)
        targeting = self._first_text("target_audience")
        extra = {
            key: value
            for key, value in self.item.items()
            if key not in self.used and value is not None and value != ""
        }
        extra.update(self.leftover)
        return OpenLine(
            code=self.code,
            name=name,
            channel=channel,
            vendor=vendor,
            property_name=property_name,
            market=market,
            format=unit,
            start=start,
            end=end,
            cost_model=model,
            rate=rate,
            quantity=quantity,
            cost=cost,
            currency=currency,
            targeting=targeting,
            notes=_text(own.get("notes")),
            kpi_targets=targets,
            extra=extra,
            spot_length=self._own_int(own, "spot_length"),
            flighting=self._own_flighting(own),
            weights=self._own_weights(own),
            commission_percent=self._own_decimal(own, "commission_percent"),
            fees=self._own_decimal(own, "fees"),
            universe=universe,
            material_deadline=self._own_date(own, "material_deadline"),
            exchange_rate=exchange_rate,
            number=self.number,
        )

    # -- plain fields --

    def _first_text(self, *keys: str) -> str:
        for key in keys:
            value = _text(self.item.get(key))
            if value:
                self.used.add(key)
                return value
        return ""

    def _metric(self, key: str) -> Decimal | None:
        value = self.item.get(key)
        self.used.add(key)
        if value is None:
            return None
        try:
            number = _from_json_number(value)
        except ValueError:
            self.problems.append(f"{self.where}: {key} {value!r} is not a number; it was ignored.")
            return None
        if abs(number) >= _MAX_NUMBER:
            self.problems.append(f"{self.where}: {key} {value!r} is too large; it was ignored.")
            return None
        return number

    # -- channel --

    def _channel(self) -> str:
        standard = _text(self.item.get("channel"))
        custom = _text(self.item.get("channel_custom"))
        self.used.add("channel")
        slot = self.captions.dimension(SUB_CHANNEL_CAPTIONS)
        detail = _text(self.item.get(slot)) if slot else ""
        if slot and detail:
            self.used.add(slot)
            exact = CHANNEL_FROM_STANDARD.get(detail.lower())
            fits = exact is not None and (
                not standard or CHANNEL_TO_STANDARD[exact].lower() == standard.lower()
            )
            if exact is not None and fits:
                if custom.lower() == CHANNEL_LABELS[exact].lower():
                    self.used.add("channel_custom")
                return exact
            reason = "is not one mediadesk knows" if exact is None else (
                f"does not belong to the channel {standard!r}"
            )  # fmt: skip
            self.problems.append(
                f"{self.where}: the sub-channel {detail!r} {reason}; the channel is read from "
                "the line's channel."
            )
        word = standard
        if (not word or word.lower() == "other") and custom:
            word = custom
            self.used.add("channel_custom")
        key = word.lower()
        mapped = CHANNEL_FROM_STANDARD.get(key)
        if mapped is not None and key not in BROAD_CHANNELS:
            return mapped
        candidates = BROAD_CHANNELS.get(key, tuple(CHANNEL_LABELS))
        hinted, hint = self._narrow(candidates)
        if hinted is None and key in _PLAIN_BROAD:
            return candidates[0]
        chosen = hinted or candidates[0]
        if not word:
            said = "names no channel"
        elif key in BROAD_CHANNELS:
            said = f"has the broad channel {word!r}"
        else:
            said = f"has the channel {word!r}, which mediadesk does not know"
        because = f"from {hint!r}" if hint else "nothing on the line narrows it"
        self.problems.append(f"{self.where} {said}; read as {CHANNEL_LABELS[chosen]} ({because}).")
        return chosen

    def _narrow(self, candidates: Sequence[str]) -> tuple[str | None, str]:
        """The channel the line's own words point to (vehicle first, then product, …)."""
        texts = [_text(self.item.get(key)) for key in _HINT_FIELDS]
        for text in texts:
            lowered = text.lower()
            for word, channel in CHANNEL_HINTS:
                if channel in candidates and re.search(
                    rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", lowered
                ):
                    return channel, text
        return None, ""

    # -- cost model, quantity and rate --

    def _pricing(self, channel: str, cost: Decimal) -> tuple[str, Decimal | None, Decimal | None]:
        formulas = self._formulas()
        grp_slot = self.captions.metric(GRP_CAPTIONS)
        model, unknown = self._named_cost_model()
        if model is None:
            model, metric = self._inferred_cost_model(channel, formulas, grp_slot)
            reason = unknown or "names no cost model (the standard has no field for one)"
            if metric is None:
                self.problems.append(
                    f"{self.where} {reason} and carries no quantity metric to price it by; "
                    "imported as a flat fee."
                )
            else:
                self.problems.append(
                    f"{self.where} {reason}; priced as {COST_MODEL_TO_STANDARD[model]} from "
                    f"{metric} and cost_total."
                )
        if model == CostModel.FLAT:
            return model, cost, _ONE
        if model == CostModel.CPP:
            # Our GRP slot, unless this document's dictionary gives it another meaning.
            unclaimed = GRP_METRIC not in self.captions.metrics
            metric = grp_slot or (GRP_METRIC if unclaimed else None)
        else:
            metric = COST_MODEL_METRIC[model]
        quantity = self._metric(metric) if metric else None
        rate = None
        formula = formulas.get(metric) if metric else None
        coefficient = _formula_coefficient(formula) if formula is not None else None
        if metric and coefficient is not None:
            rate = coefficient * _per(model)
            self.used.add("metric_formulas")
            rest = {k: v for k, v in formulas.items() if k != metric}
            if rest:
                self.leftover["metric_formulas"] = rest
        return model, rate, quantity

    def _named_cost_model(self) -> tuple[str | None, str]:
        """The cost model a custom dimension (or buy_type) names; else what was said, if any."""
        slot = self.captions.dimension(COST_MODEL_CAPTIONS)
        named = _text(self.item.get(slot)) if slot else ""
        if slot and named:
            self.used.add(slot)
        else:
            buy_type = _text(self.item.get("buy_type"))
            if buy_type.lower() in COST_MODEL_FROM_STANDARD:
                named = buy_type
                self.used.add("buy_type")
        if not named:
            return None, ""
        known = COST_MODEL_FROM_STANDARD.get(named.lower())
        if known is not None:
            return known, ""
        close = _close_cost_model(named)
        if close is not None:
            self.problems.append(
                f"{self.where}: cost model {named!r} is not one mediadesk knows; kept as "
                f"{COST_MODEL_TO_STANDARD[close]}."
            )
            return close, ""
        return None, f"names the cost model {named!r}, which mediadesk does not know"

    def _inferred_cost_model(
        self, channel: str, formulas: Mapping[str, Mapping[str, object]], grp_slot: str | None
    ) -> tuple[str, str | None]:
        """The cost model the line's metrics suggest, and the metric it counts (None: flat)."""
        units = "per_insertion" if channel in _INSERTION_CHANNELS else "per_spot"
        by_metric = {**_METRIC_COST_MODELS, "metric_units": units}
        if grp_slot is not None:
            by_metric[grp_slot] = "cpp"
        present = [metric for metric in by_metric if _positive(self.item.get(metric))]
        priced = [m for m in present if m in formulas and _formula_coefficient(formulas[m])]
        preferred = [m for m in _CHANNEL_METRICS.get(channel, ()) if m in present]
        if grp_slot in present and channel in _RATING_CHANNELS:
            preferred.insert(0, str(grp_slot))
        for metric in priced or preferred or present:
            return by_metric[metric], metric
        return "flat", None

    def _formulas(self) -> dict[str, Mapping[str, object]]:
        formulas = self.item.get("metric_formulas")
        if not isinstance(formulas, Mapping):
            return {}
        return {str(k): v for k, v in formulas.items() if isinstance(v, Mapping)}

    # -- KPI targets --

    def _kpi_targets(self, own: Mapping[str, object]) -> list[dict[str, str]]:
        kpi = _text(self.item.get("kpi"))
        custom = _text(self.item.get("kpi_custom"))
        word = custom if (not kpi or kpi.lower() == "other") and custom else kpi
        value = self.item.get("kpi_value")
        standard = KPI_FROM_STANDARD.get(word.lower()) if word else None
        if "kpi_targets" in own:
            exact = _kpi_list(own.get("kpi_targets"))
            first = exact[0] if exact else None
            if first is None:
                agrees = not word
            else:
                agrees = standard == first["kpi"] and _same_number(value, first["target"])
            if agrees:
                self.used.update({"kpi", "kpi_custom", "kpi_value"})
                return self._known_targets(exact)
            self.problems.append(
                f"{self.where}: the KPI was changed outside mediadesk; it replaces the line's "
                "KPI targets kept by mediadesk."
            )
        if standard is None or value is None:
            return []
        try:
            target = _from_json_number(value)
        except ValueError:
            return []
        self.used.update({"kpi", "kpi_custom", "kpi_value"})
        return [{"kpi": standard, "target": _plain_decimal(target)}]

    def _known_targets(self, targets: list[dict[str, str]]) -> list[dict[str, str]]:
        known = []
        for target in targets:
            if target["kpi"] in KPI_TO_STANDARD and _is_decimal(target["target"]):
                known.append(target)
            else:
                self.problems.append(
                    f"{self.where}: the KPI target {target['kpi']!r} {target['target']!r} is not "
                    "one mediadesk knows; not imported."
                )
        return known

    # -- mediadesk's own values (custom_properties) --

    def _own(self) -> Mapping[str, object]:
        props = self.item.get("custom_properties")
        if not isinstance(props, Mapping) or PROPERTY_KEY not in props:
            return {}
        self.used.add("custom_properties")
        rest = {str(k): v for k, v in props.items() if k != PROPERTY_KEY}
        if rest:
            self.leftover["custom_properties"] = rest
        own = props[PROPERTY_KEY]
        if not isinstance(own, Mapping):
            self.problems.append(
                f"{self.where}: custom_properties.{PROPERTY_KEY} is not an object; "
                "mediadesk's own values were not read."
            )
            return {}
        return own

    def _own_int(self, own: Mapping[str, object], key: str) -> int | None:
        value = own.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
            return value
        self._own_problem(key, value)
        return None

    def _own_flighting(self, own: Mapping[str, object]) -> str:
        value = own.get("flighting")
        if value is None:
            return "continuous"
        if value in FLIGHTINGS:
            return str(value)
        self._own_problem("flighting", value)
        return "continuous"

    def _own_weights(self, own: Mapping[str, object]) -> dict[str, str]:
        value = own.get("weights")
        if value is None:
            return {}
        if isinstance(value, Mapping) and all(
            _is_iso_date(week) and isinstance(weight, str) and _is_decimal(weight)
            for week, weight in value.items()
        ):
            return {str(week): str(weight) for week, weight in value.items()}
        self._own_problem("weights", value)
        return {}

    def _own_decimal(self, own: Mapping[str, object], key: str) -> Decimal | None:
        value = own.get(key)
        if value is None:
            return None
        if isinstance(value, str) and _is_decimal(value):
            return Decimal(value)
        self._own_problem(key, value)
        return None

    def _own_date(self, own: Mapping[str, object], key: str) -> date | None:
        value = own.get(key)
        if value is None:
            return None
        if _is_iso_date(value):
            return date.fromisoformat(str(value))
        self._own_problem(key, value)
        return None

    def _own_problem(self, key: str, value: object) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "…"
        self.problems.append(
            f"{self.where}: mediadesk's {key.replace('_', ' ')} {shown} is unreadable; "
            "it is left at its default."
        )


# Fields whose words narrow a broad channel, most telling first.
_HINT_FIELDS = ("vehicle", "vehicle_custom", "media_product", "media_product_custom", "adformat",
                "adformat_custom", "inventory", "name", "partner")  # fmt: skip
_METRIC_COST_MODELS: dict[str, str] = {
    "metric_impressions": "cpm",
    "metric_clicks": "cpc",
    "metric_view_completions": "cpcv",
    "metric_views": "cpv",
    "metric_engagements": "cpe",
    "metric_leads": "cpl",
    "metric_conversions": "cpa",
}
_INSERTION_CHANNELS = {"newspaper", "magazine", "podcast", "email"}
_RATING_CHANNELS = {"linear_tv", "radio", "cinema", "ctv_ott"}
_CHANNEL_METRICS: dict[str, tuple[str, ...]] = {
    "search": ("metric_clicks",),
    "affiliate": ("metric_conversions", "metric_leads"),
    "linear_tv": ("metric_units",),
    "radio": ("metric_units",),
    "cinema": ("metric_units",),
    "newspaper": ("metric_units",),
    "magazine": ("metric_units",),
    "podcast": ("metric_units",),
}
# Placement.cost has 16 digits, 2 of them decimals; larger numbers are not plan values.
_MAX_COST = Decimal("1E14")
_MAX_NUMBER = Decimal("1E15")


def _positive(value: object) -> bool:
    try:
        return _from_json_number(value) > 0
    except ValueError:
        return False


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_decimal(value: str) -> bool:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    return number.is_finite() and abs(number) < _MAX_NUMBER


def _formula_coefficient(formula: Mapping[str, object]) -> Decimal | None:
    """The cost per unit a formula states, if it is cost_per_unit of cost_total."""
    if formula.get("formula_type") != "cost_per_unit":
        return None
    if formula.get("base_metric", "cost_total") != "cost_total":
        return None
    try:
        coefficient = _from_json_number(formula.get("coefficient"))
    except ValueError:
        return None
    return coefficient if coefficient > 0 else None


def _close_cost_model(named: str) -> str | None:
    """dCPM, vCPM, eCPM -> CPM; oCPC -> CPC: a known model with a qualifier in front."""
    letters = re.sub(r"[^a-z]", "", named.lower())
    for model in ("cpcv", "cpm", "cpc", "cpa", "cpl", "cpv", "cpe", "cpp"):
        if letters.endswith(model) and len(letters) <= len(model) + 2:
            return model
    return None


# --- OpenPlan -> placement values -------------------------------------------------------------


def placement_values(plan: OpenPlan) -> tuple[list[dict[str, object]], list[str]]:
    """Values for adding each line as a placement, and every problem (the plan's first).

    Each value dict has the Placement's field names; two of rate, quantity and cost (the pair
    that reproduces the third exactly, else quantity and cost); amounts in the plan's currency.
    """
    problems = list(plan.problems)
    values = [_values_of(line, plan, problems) for line in plan.lines]
    return values, sorted(problems, key=_line_of)  # stable: each line's sentences together


def _line_of(problem: str) -> int:
    """The line a problem sentence is about (0 for the plan as a whole)."""
    found = re.match(r"line (\d+) ", problem)
    return int(found.group(1)) if found else 0


def _values_of(line: OpenLine, plan: OpenPlan, problems: list[str]) -> dict[str, object]:
    where = f"line {line.number or '?'} ({line.code or 'no id'})"
    currency = line.currency or plan.currency
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    cost, rate, quantity = line.cost, line.rate, line.quantity
    notes = [line.notes] if line.notes else []
    if plan.currency and currency != plan.currency:
        rate_ok = line.exchange_rate is not None and 0 < line.exchange_rate < _MAX_COST
        converted = cost * line.exchange_rate if line.exchange_rate and rate_ok else _MAX_COST
        if line.exchange_rate is not None and converted < _MAX_COST:
            places = CURRENCY_MINOR_UNITS.get(plan.currency, 2)
            converted = _round(converted, places)
            problems.append(
                f"{where}: cost {_show(cost)} {currency} converted at {line.exchange_rate} to "
                f"{_show(converted)} {plan.currency}, the plan's currency; the rate follows from "
                "cost and quantity."
            )
            notes.append(
                f"Booked in {currency}: {_show(cost)} at {line.exchange_rate} {plan.currency} "
                f"per {currency}."
            )
            cost, rate, currency = converted, None, plan.currency
        else:
            problems.append(
                f"{where}: the cost is in {currency} and the line gives no usable exchange "
                f"rate to {plan.currency}, the plan's currency; convert it before importing."
            )
    elif line.exchange_rate is not None and line.exchange_rate != _ONE and currency:
        problems.append(
            f"{where}: exchange rate {line.exchange_rate} ignored: the line is already in "
            f"{currency}, the plan's currency."
        )
    rounded = _round(cost, places)
    if rounded != cost:
        problems.append(f"{where}: cost {cost} rounded to {_show(rounded)} ({currency}).")
        cost = rounded
    if quantity is not None and line.cost_model != CostModel.FLAT:
        counted = _round(quantity, 2 if line.cost_model == CostModel.CPP else 0)
        if counted != quantity:
            problems.append(
                f"{where}: the quantity {_show(quantity)} is rounded to {_show(counted)}."
            )
            quantity = counted
    model, pricing, problem = _pricing_pair(line.cost_model, rate, quantity, cost, places)
    if problem:
        problems.append(f"{where}: {problem}")
    extra_notes, skipped = _extra_notes(line.extra, plan.dictionary)
    notes.extend(extra_notes)
    if skipped:
        problems.append(f"{where}: mediadesk has no field for {', '.join(skipped)}; not imported.")
    values: dict[str, object] = {
        "code": line.code,
        "name": line.name,
        "channel": line.channel,
        "vendor": line.vendor,
        "property_name": line.property_name,
        "market": line.market,
        "format": line.format,
        "targeting": line.targeting,
        "start": line.start,
        "end": line.end,
        "flighting": line.flighting,
        "weights": dict(line.weights),
        "cost_model": model,
        **pricing,
        "kpi_targets": [dict(target) for target in line.kpi_targets],
        "notes": "\n".join(notes),
    }
    if currency:
        values["currency"] = currency
    optional: dict[str, object | None] = {
        "spot_length": line.spot_length,
        "commission_percent": line.commission_percent,
        "fees": line.fees,
        "universe": line.universe,
        "material_deadline": line.material_deadline,
    }
    values.update({key: value for key, value in optional.items() if value is not None})
    if model == "cpp" and line.universe is None:
        problems.append(
            f"{where}: a CPP line needs the audience universe (metric_audience_size); add it."
        )
    for key, limit in FIELD_LIMITS.items():
        text = values[key]
        if isinstance(text, str) and len(text) > limit:
            problems.append(f"{where}: the {key.replace('_', ' ')} is cut to {limit} characters.")
            values[key] = text[:limit]
    return values


def _pricing_pair(
    model: str, rate: Decimal | None, quantity: Decimal | None, cost: Decimal, places: int
) -> tuple[str, dict[str, Decimal], str]:
    """The cost model, the two numbers to give it, and what had to change ("" if nothing).

    The pair that reproduces the third number exactly is taken; failing that, the cost is kept
    (it is what gets booked) with the quantity, else the rate; failing that, a flat fee.
    """
    if model == CostModel.FLAT:
        return model, {"quantity": _ONE, "cost": cost}, ""
    given = {"rate": rate, "quantity": quantity, "cost": cost}
    label = COST_MODEL_TO_STANDARD[model]
    failure = ""
    attempts: list[tuple[tuple[str, str], dict[str, Decimal], list[str], dict[str, Decimal]]] = []
    for pair in (("rate", "quantity"), ("quantity", "cost"), ("rate", "cost")):
        kept = {name: value for name in pair if (value := given[name]) is not None}
        if len(kept) < len(pair):
            continue
        try:
            priced = price(
                CostModel(model),
                rate=kept.get("rate"),
                quantity=kept.get("quantity"),
                cost=kept.get("cost"),
                cost_places=places,
            )
        except PricingError as exc:
            failure = str(exc)
            continue
        derived = {"rate": priced.rate, "quantity": priced.quantity, "cost": priced.cost}
        mismatched = [
            name for name, value in given.items() if value is not None and derived[name] != value
        ]
        if not mismatched:
            return model, kept, ""
        attempts.append((pair, kept, mismatched, derived))
    for pair, kept, mismatched, derived in attempts:
        if "cost" in pair:
            other = mismatched[0]
            return (
                model,
                kept,
                f"the {other} {_show(given[other])} does not fit the cost {_show(cost)} under "
                f"{label}; the cost is kept and the {other} recalculated as "
                f"{_show(derived[other])}.",
            )
    reason = failure.rstrip(".") if failure else (
        f"there is neither a quantity nor a rate to price it as {label}"
    )  # fmt: skip
    return "flat", {"quantity": _ONE, "cost": cost}, (
        f"{reason}; imported as a flat fee of {_show(cost)}."
    )  # fmt: skip


def _extra_notes(
    extra: Mapping[str, object], dictionary: Mapping[str, object]
) -> tuple[list[str], list[str]]:
    """Readable standard fields (for the notes), and the names of the rest (not imported)."""
    captions = _slot_captions(dictionary.get("lineitem_custom_dimensions"))
    notes: list[str] = []
    noted: set[str] = set()
    labelled = [*NOTE_FIELDS, *((f"dim_custom{n}", "") for n in range(1, 11))]
    for key, label in labelled:
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            text = value.strip()
        else:
            try:
                text = _plain_decimal(_from_json_number(value))
            except ValueError:
                continue
        notes.append(f"{label or captions.get(key, key)}: {text}")
        noted.add(key)
    skipped = []
    for key in sorted(extra):
        if key in noted:
            continue
        value = extra[key]
        if isinstance(value, Mapping) and value:
            skipped.append(f"{key} ({', '.join(sorted(str(k) for k in value))})")
        else:
            skipped.append(key)
    return notes, skipped


# --- small helpers ----------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None or isinstance(value, Mapping | list):
        return ""
    return str(value).strip()


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _kpi_list(value: object) -> list[dict[str, str]]:
    return [
        {"kpi": str(item["kpi"]), "target": str(item["target"])}
        for item in _list(value)
        if isinstance(item, Mapping) and "kpi" in item and "target" in item
    ]


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool | float):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str) and str(value).strip():
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            return None
    return None


def _from_json_number(value: object) -> Decimal:
    """A JSON number as a Decimal: a float through its shortest text, so 0.0125 stays 0.0125."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{value!r} is not a number")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: whole values as integers, others as the nearest float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _plain(value: object) -> object:
    """Decimals as plain text ("15.00"), dates as ISO: exact values for custom_properties."""
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain_decimal(value: Decimal) -> str:
    return f"{value:f}"


def _iso(value: object) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value:
        return value
    return None


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return _plain(value)


def _required_text(values: Mapping[str, object], key: str, where: str) -> str:
    text = _text(values.get(key))
    if not text:
        raise OpenPlanError(f"The {where} needs a {key.replace('_', ' ')}.")
    return text


def _required_date(values: Mapping[str, object], key: str, where: str) -> date:
    value = values.get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise OpenPlanError(f"{where[0].upper()}{where[1:]}: {key} {value!r} is not a date.")


def _document_date(value: object, what: str) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise OpenPlanError(f"{what} {value!r} is not a date in the form YYYY-MM-DD.")


def _document_number(value: object, what: str) -> Decimal:
    try:
        return _from_json_number(value)
    except ValueError:
        raise OpenPlanError(f"{what} {value!r} is not a number.") from None


def _same_number(a: object, b: object) -> bool:
    try:
        left = _from_json_number(a) if not isinstance(a, str) else Decimal(a)
        right = _from_json_number(b) if not isinstance(b, str) else Decimal(b)
    except (ValueError, InvalidOperation):
        return False
    return left == right


def _per(model: str) -> Decimal:
    return _THOUSAND if model == CostModel.CPM else _ONE


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _show(value: Decimal | None) -> str:
    return "none" if value is None else f"{value:,}"


def _and(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
