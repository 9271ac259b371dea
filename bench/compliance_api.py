"""Compliance API: one check through ``POST /api/v1/compliance/check``. Target (issue 7): a
single check through the API under 50 ms.

Measured through the whole Django stack (URL routing, token authentication, django-ninja's
schema parsing, the rule set lookup scoped to the user, the engine, the JSON answer), with
Django's test client and a real personal token of Ben (a coordinator), on this run's database:

1. a **saved rule set of 200 rules** (``rule_set: <id>``), compiled once per revision and then
   served from the compiled cache, as every check after the first one is;
2. the same **200 rules inline** (``rule_set: {"rules": [...]}``): parsed, checked and
   compiled on every request, the worst case for a tool that sends its own rules;
3. **10 rules inline**, a small house list sent by another tool;
4. ``rule_set: "applicable"`` for Northwind: the saved 200-rule client set plus the three
   starter packs for every client (the sets that apply in the subject's market and channel).

The subject is a full responsive search ad in German (15 headlines, 4 descriptions, 2 paths, a
primary text and a final URL) with a few prohibited words, an over-long headline and a URL
without its UTM parameters, so every request finds something. Each case: 20 warm-up requests,
then 200 timed ones; p50 and p95 in milliseconds, and the queries of one request.

The 200 rules (fixed seed) mix the kinds as a client's legal and brand rules would: 110
prohibited rules (80 word lists, 30 patterns), 40 required texts (half under a ``when``), 30
length limits, 15 URL rules and 5 targeting rules.
"""

from __future__ import annotations

import json
import random
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bench.timing import measure
from mediadesk.accounts.models import Client, User
from mediadesk.accounts.services import create_token
from mediadesk.compliance import services
from mediadesk.demo import load_demo
from mediadesk.domain.rule_packs import starter_packs

SEED = 20261207
RULES = 200
CALLS = 200
WARMUP = 20
TARGET_MS = 50
PATH = "/api/v1/compliance/check"

CLAIMS = (
    "garantiert", "100% natürlich", "wirkt sofort", "klinisch bewiesen", "Testsieger", "gratis",
    "risikofrei", "weltbeste", "Wundermittel", "ohne Nebenwirkungen", "nie wieder", "einmalig",
)  # fmt: skip
MARKETS = ["DE", "AT", "CH", "FR", "GB", "US", "IT", "ES"]
CHANNELS = ["search", "social", "display", "online_video", "influencer"]


def rules(count: int = RULES) -> dict[str, Any]:
    """``count`` rules in the proportions of the module docstring (count a multiple of 20)."""
    rng = random.Random(SEED)
    share = count // 20
    out: list[dict[str, Any]] = []
    for n in range(8 * share):
        words = [f"{rng.choice(CLAIMS)} {n}", f"verboten{n}", f"claim {n} extra"]
        if n < len(CLAIMS):
            words.append(CLAIMS[n])
        out.append({"id": f"words-{n}", "kind": "prohibited", "words": words,
                    "replacement": "belegbar formulieren",
                    "severity": rng.choice(["warning", "blocking"])})  # fmt: skip
    for n in range(3 * share):
        out.append({"id": f"pattern-{n}", "kind": "prohibited", "severity": "warning",
                    "pattern": rf"(?:spare|sichere)\s+{n}\s*(?:%|prozent)"})  # fmt: skip
    for n in range(4 * share):
        rule: dict[str, Any] = {"id": f"required-{n}", "kind": "required_text",
                                "severity": "info" if n % 3 else "warning"}  # fmt: skip
        if n % 2:
            rule |= {"text": f"AGB {n}", "when": {"markets": [MARKETS[n // 2 % 8]]}}
        else:
            rule |= {"any_of": ["Northwind", f"Marke {n}"], "field": "headline"}
        out.append(rule)
    limits = {"headline": 30, "description": 90, "path": 15, "primary text": 125}
    for n in range(3 * share):
        field = list(limits)[n % 4]
        rule = {"id": f"length-{n}", "kind": "length", "field": field,
                "max": limits[field] + n // 4 * 5, "severity": "warning"}  # fmt: skip
        if n % 3 == 0:
            rule["when"] = {"channels": [CHANNELS[n % 5]]}
        out.append(rule)
    for n in range(share + share // 2):
        out.append({"id": f"url-{n}", "kind": "url", "severity": "warning", "https_only": True,
                    "allowed_domains": ["northwind.example", f"partner{n}.example"],
                    "required_params": ["utm_source", "utm_medium", "utm_campaign"][: 1 + n % 3],
                    "no_shorteners": n % 2 == 0})  # fmt: skip
    for n in range(count - len(out)):
        category = ["alcohol", "gambling"][n % 2]
        out.append({"id": f"targeting-{n}", "kind": "targeting", "severity": "blocking",
                    "min_age": 18, "when": {"categories": [category]}})  # fmt: skip
    return {"version": 1, "rules": out[:count]}


def subject() -> dict[str, Any]:
    """A full German responsive search ad with something to find."""
    return {
        "fields": {
            "headline": [
                "Northwind Wintertee", "Bio-Tee mit Zimt & Orange", "Versandkostenfrei ab 30 €",
                "Garantiert wärmend", "Jetzt online bestellen", "Neu: Rooibos-Orange",
                "Winterzeit ist Teezeit für lange Abende", "Tee aus fairem Handel",
                "In 2 Tagen bei dir", "Probierset für 9,90 €", "Der Testsieger 2026",
                "Über 40 Sorten", "Lose oder im Beutel", "Geschenkideen mit Tee", "Sicher bezahlen",
            ],
            "description": [
                "Zimt, Orange und Rooibos: unsere Wintermischungen wärmen jeden Abend.",
                "Bio-Tees von Northwind. Online bestellen, in 2 Tagen geliefert. Gratis Versand.",
                "Spare 20 % auf dein erstes Probierset – nur diese Woche im Shop.",
                "Fair gehandelt, schonend getrocknet, frisch abgefüllt in Hamburg.",
            ],
            "path": ["wintertee", "probierset"],
            "primary text": "Wenn es draußen früh dunkel wird: eine Tasse Wintertee, eine Decke "
                            "und ein gutes Buch. ☕️ Unsere Wintermischungen sind da – "
                            "entdecke sie im Northwind Shop.",
            "final url": "https://www.northwind.example/de/wintertee?utm_source=google",
        },
        "channel": "search",
        "market": "DE",
    }  # fmt: skip


def _post(api: HttpClient, body: str) -> Any:
    response = api.post(PATH, body, content_type="application/json")
    if response.status_code != 200:
        raise RuntimeError(f"POST {PATH} answered {response.status_code}: {response.content!r}")
    return response


def _case(api: HttpClient, label: str, payload: dict[str, Any]) -> float:
    """Time one kind of request; its p95 in milliseconds."""
    body = json.dumps(payload)
    found = json.loads(_post(api, body).content)["findings"]
    severities = sorted({f["severity"] for f in found})
    with CaptureQueriesContext(connection) as queries:
        _post(api, body)
    print(
        f"{label}: {len(found)} findings ({', '.join(severities)}), request body "
        f"{len(body):,} bytes, {len(queries)} queries"
    )
    samples = measure(
        f"POST /compliance/check, {label}", lambda: _post(api, body), repeat=CALLS, warmup=WARMUP
    )
    return samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def run() -> None:
    load_demo()
    alice = User.objects.get(email="alice@demo.test")
    ben = User.objects.get(email="ben@demo.test")
    organization = alice.organization
    assert organization is not None
    northwind = Client.objects.get(organization=organization, code="NWND")
    data = rules()
    saved = services.save_rule_set(
        alice, organization=organization, client=northwind, rules=data,
        name=f"Bench: {RULES} Northwind rules",
    )  # fmt: skip
    for key, pack in starter_packs().items():
        services.save_rule_set(
            alice, organization=organization, name=f"Bench: {pack.name}", rules=pack.rules,
            starter=key,
        )  # fmt: skip
    api = HttpClient(headers={"Authorization": f"Bearer {create_token(ben, name='bench').raw}"})
    ad = subject()
    small = {"version": 1, "rules": data["rules"][:10]}
    applicable = sum(
        r.rule_count
        for r in services.applicable(northwind, market=ad["market"], channel=ad["channel"])
    )
    results = {
        label: _case(api, label, payload)
        for label, payload in (
            (f"saved set, {saved.rule_count} rules", {"rule_set": saved.pk, "subject": ad}),
            (f"{len(data['rules'])} rules inline", {"rule_set": data, "subject": ad}),
            ("10 rules inline", {"rule_set": small, "subject": ad}),
            (
                f"applicable: {applicable} rules, 4 sets",
                {"rule_set": "applicable", "client": northwind.pk, "subject": ad},
            ),
        )
    }
    worst, p95 = max(results.items(), key=lambda item: item[1])
    print(
        f"single check through the API (target < {TARGET_MS} ms): slowest p95 {p95:.1f} ms "
        f"({worst}): {'met' if p95 < TARGET_MS else 'NOT met'}"
    )
