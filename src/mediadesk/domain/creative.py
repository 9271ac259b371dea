"""Creative rules as plain functions: usage rights against dates, material deadlines, the UTM
builder and the spec a placement most likely takes.

- **Rights.** A right without an expiry never expires. An asset's rights are ``expired`` from
  the day after the earliest expiry, ``expiring`` within ``SOON_DAYS`` (30) before it. A
  trafficking assignment must end on or before the earliest expiry and start on or after the
  latest start of the asset's rights: rights cover the whole run or the assignment is refused.
- **Material deadlines.** A placement's creative is ``ready`` once an approved version is
  trafficked to it, ``approved`` when one is approved but not yet trafficked. Otherwise it is
  ``late`` after its deadline, ``due`` within ``DUE_DAYS`` (7) of it, else ``open``; a placement
  without a deadline is ``no deadline`` unless ready or approved. A placement that has ended is
  ``ended``, whatever its deadline: nothing can be done about it any more, so it is not late.
- **UTM.** The client's template maps each ``utm_*`` parameter to text with ``{vendor}``,
  ``{channel}``, ``{campaign}``, ``{placement}``, ``{asset}``, ``{client}`` and ``{version}``
  fields. Values are lower-cased, with runs of anything but letters, digits, ``-``, ``_`` and
  ``.`` turned into one ``_`` (platform reports group by exact value, so "Meta Ads" and
  "meta ads" must not become two sources). Parameters already on the URL are replaced, others
  kept; the fragment stays last. The UTM parameters follow in the usual order (source, medium,
  campaign, term, content, then any other by name), whatever order the template was saved in
  (a PostgreSQL ``jsonb`` template does not keep its keys' order).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SOON_DAYS = 30
DUE_DAYS = 7
UTM_FIELDS = ("vendor", "channel", "campaign", "placement", "asset", "client", "version")
_UTM_ORDER = {
    name: place
    for place, name in enumerate(
        ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
    )
}
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_SPOT_CHANNELS = frozenset(
    {"linear_tv", "ctv_ott", "radio", "streaming_audio", "cinema", "online_video"}
)
_SECONDS = re.compile(r"(?<!\d)(\d{1,3})\s*(?:s|sec|second)s?\b", re.IGNORECASE)
_SIZE = re.compile(r"(?<!\d)(\d{2,4})\s*[x×]\s*(\d{2,4})(?!\d)")


class RightsState(StrEnum):
    NONE = "none"
    OK = "ok"
    EXPIRING = "expiring"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Right:
    label: str  # "Music: Sunny Tunes Ltd"
    starts: date | None
    expires: date | None


def earliest_expiry(rights: Iterable[Right]) -> date | None:
    dates = [right.expires for right in rights if right.expires is not None]
    return min(dates) if dates else None


def rights_state(expires: date | None, today: date, soon_days: int = SOON_DAYS) -> RightsState:
    if expires is None:
        return RightsState.OK
    if expires < today:
        return RightsState.EXPIRED
    if expires <= today + timedelta(days=soon_days):
        return RightsState.EXPIRING
    return RightsState.OK


def rights_problems(rights: Iterable[Right], starts: date, ends: date, today: date) -> list[str]:
    """Why these rights do not cover a run from ``starts`` to ``ends`` (empty when they do)."""
    problems: list[str] = []
    for right in rights:
        if right.expires is not None and right.expires < today:
            problems.append(
                f"{right.label} expired on {right.expires:%d %b %Y}; renew the rights before "
                "trafficking this asset."
            )
        elif right.expires is not None and ends > right.expires:
            problems.append(
                f"{right.label} expire on {right.expires:%d %b %Y}, but the run ends on "
                f"{ends:%d %b %Y}; end it on or before {right.expires:%d %b %Y} or renew the "
                "rights."
            )
        if right.starts is not None and starts < right.starts:
            problems.append(
                f"{right.label} start on {right.starts:%d %b %Y}, but the run starts on "
                f"{starts:%d %b %Y}."
            )
    return problems


class DeadlineState(StrEnum):
    READY = "ready"
    APPROVED = "approved"
    LATE = "late"
    DUE = "due"
    OPEN = "open"
    NO_DEADLINE = "no deadline"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    state: DeadlineState
    sentence: str

    @property
    def is_late(self) -> bool:
        return self.state is DeadlineState.LATE


def deadline_status(
    deadline: date | None,
    today: date,
    *,
    approved: bool,
    trafficked: bool,
    in_review: int = 0,
    assets: int = 0,
    ends: date | None = None,
) -> DeadlineStatus:
    """Where a placement's creative stands against its material deadline, in one sentence."""
    if ends is not None and ends < today:
        return DeadlineStatus(DeadlineState.ENDED, f"Ended {ends:%d %b %Y}.")
    if trafficked:
        return DeadlineStatus(DeadlineState.READY, "Approved creative is trafficked.")
    if approved:
        return DeadlineStatus(DeadlineState.APPROVED, "Approved; not yet trafficked.")
    where = _creative_so_far(assets, in_review)
    if deadline is None:
        return DeadlineStatus(DeadlineState.NO_DEADLINE, f"No material deadline; {where}.")
    days = (deadline - today).days
    if days < 0:
        late = "1 day" if days == -1 else f"{-days} days"
        return DeadlineStatus(
            DeadlineState.LATE, f"Late by {late} (deadline {deadline:%d %b}); {where}."
        )
    if days <= DUE_DAYS:
        when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
        return DeadlineStatus(DeadlineState.DUE, f"Due {when} ({deadline:%d %b}); {where}.")
    return DeadlineStatus(DeadlineState.OPEN, f"Due {deadline:%d %b}; {where}.")


def _creative_so_far(assets: int, in_review: int) -> str:
    if assets == 0:
        return "no creative uploaded"
    if in_review:
        return f"{in_review} of {assets} in review"
    return f"{assets} uploaded, none approved"


def utm_value(text: str) -> str:
    return _UNSAFE.sub("_", text.strip().lower()).strip("_")


def template_fields(template: Mapping[str, str]) -> list[str]:
    """The ``{fields}`` a template uses; ``ValueError`` names one it does not know."""
    used: list[str] = []
    for parameter, text in template.items():
        if not parameter.strip():
            raise ValueError("A UTM parameter has no name.")
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise ValueError(f"{parameter} = {text!r} is not a valid template: {exc}.") from exc
        for _, name, spec, _ in parsed:
            if name is None:
                continue
            if name not in UTM_FIELDS or spec:
                known = ", ".join("{" + f + "}" for f in UTM_FIELDS)
                raise ValueError(f"{parameter} uses {{{name}}}; the fields are {known}.")
            used.append(name)
    return used


def tracked_url(url: str, template: Mapping[str, str], values: Mapping[str, str]) -> str:
    """``url`` with the template's UTM parameters filled in (module docstring: the rules)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{url!r} is not a web address; it must start with https:// or http://.")
    template_fields(template)
    filled = {
        parameter: utm_value(text.format(**{f: values.get(f, "") for f in UTM_FIELDS}))
        for parameter, text in template.items()
    }
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in filled]
    ordered = sorted(filled.items(), key=lambda item: (_UTM_ORDER.get(item[0], 99), item[0]))
    query = urlencode(kept + [(k, v) for k, v in ordered if v])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def suggested_spec_key(channel: str, vendor: str, unit: str, spot_length: int | None) -> str | None:
    """The seed spec a placement most likely takes, read from its channel, vendor, format and
    spot length; ``None`` when nothing says (the coordinator then picks one)."""
    text = f"{vendor} {unit}".lower()
    if spot_length is None and (seconds := _SECONDS.search(unit)):
        spot_length = int(seconds.group(1))
    size = _SIZE.search(unit)
    if size and channel in {"display", "online_video", "social", "dooh", "ctv_ott"}:
        return f"iab-{int(size.group(1))}x{int(size.group(2))}"
    if channel == "search":
        return "microsoft-rsa" if ("microsoft" in text or "bing" in text) else "google-rsa"
    if channel == "social":
        for word, key in (
            ("tiktok", "tiktok-in-feed"),
            ("linkedin", "linkedin-single-image"),
            ("reel", "meta-reels-copy"),
            ("meta", "meta-ad-copy"),
            ("facebook", "meta-facebook-feed-copy"),
            ("instagram", "meta-ad-copy"),
        ):
            if word in text:
                return key
        if text.startswith("x ") or " x " in f" {text} " or "twitter" in text:
            return "x-image-ad"
    if channel == "podcast" or "podcast" in text:
        for word in ("pre", "mid", "post"):
            if f"{word}-roll" in text or f"{word} roll" in text:
                return f"podcast-{word}-roll"
    if spot_length in {10, 15, 30, 45, 60} and channel in _SPOT_CHANNELS:
        return f"spot-{spot_length}s"
    if channel in {"newspaper", "magazine"}:
        return _print_spec(text)
    return None


def _print_spec(text: str) -> str | None:
    if "1/2" in text or "half" in text:
        return "print-half-vertical" if "vertical" in text else "print-half-horizontal"
    if "1/3" in text or "third" in text:
        return "print-third-vertical"
    if "1/4" in text or "quarter" in text:
        return "print-quarter"
    if "page" in text or "1/1" in text:
        return "print-full-page"
    return None
