"""Compliance for the demo agency: rule sets, copy with findings of every severity, and one
override, all made through the same services people use (``compliance.services`` and
``creative.services``), so the demo shows what the checks really find.

Rule sets:

- the three starter packs, adopted by Lea (legal): the EU/UK pack for the EEA and UK markets,
  the US pack for the US, the platform text lengths for every market;
- Northwind (Lea): no world's-best superlatives or health claims (blocking, with a suggested
  wording), organic claims only for certified products (warning), the brand named in the copy
  (info), landing pages on northwind.example;
- Contoso Mobile (Lea): speed claims need substantiation (blocking), "unlimited" needs its
  fair-use terms nearby (warning), "no hidden fees" and "free" need their conditions on the
  landing page (info);
- Fabrikam Outdoor (Alice, organization admin): landing pages on fabrikam.example with UTM
  parameters, no absolute waterproof claims; and for the Fabrikam Kids brand, adults-only
  targeting (its audience is the parents). Fabrikam's regulated category: products for
  children.

Copy (uploaded by Ben, the coordinator):

- *Wintertee search ads (DE)* for Northwind's Winter Tea search line: version 1 claims
  "Bester Tee der Welt" (blocking); Ben asks for changes; version 2 says "Unser feinster
  Wintertee" and goes through every stage with its organic-claim warnings (warnings never stop
  an approval).
- *5G speed claim search ads* for Contoso's 5G search line: "America's Fastest 5G" (blocking),
  "Unlimited" (warning), "No hidden fees" (info). Lea overrides the speed claim with the
  substantiation on file, and the copy is approved by the creative lead, legal and Contoso
  (through a review link).
- *Cold Brew creator caption* for Northwind's creator collective (an influencer buy, tagged
  sponsored): no "Anzeige"/"#ad" label, a blocking finding left open; the caption waits in
  review with Lea's comment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from mediadesk.accounts.models import Brand, Client, Organization, User
from mediadesk.compliance import services
from mediadesk.compliance.choices import Category
from mediadesk.compliance.models import RuleSet
from mediadesk.creative import services as creative
from mediadesk.creative.choices import Decision, ReviewerKind
from mediadesk.creative.models import Asset, AssetVersion, ReviewRound
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.domain.rule_packs import starter_packs
from mediadesk.domain.rules import EEA_COUNTRIES
from mediadesk.planning.models import Campaign, Placement

# The markets each starter pack is limited to: its rules name these markets themselves too.
PACK_MARKETS: dict[str, list[str]] = {
    "eu_uk": sorted(EEA_COUNTRIES | {"GB"}),
    "us": ["US"],
    "platform_lengths": [],
}

NORTHWIND_RULES: dict[str, Any] = {
    "version": 1,
    "rules": [
        {
            "id": "nwnd-superlative-de",
            "kind": "prohibited",
            "severity": "blocking",
            "words": ["bester Kaffee der Welt", "besten Kaffee der Welt",
                      "bester Tee der Welt", "besten Tee der Welt", "weltbester", "weltbeste"],
            "replacement": "unser feinster",
            "message": "“{match}” is a world's-best claim Northwind cannot prove (UWG § 5); "
                       "say “unser feinster …” instead",
            "note": "Northwind legal, claims guide 2026: no unprovable superlatives.",
        },
        {
            "id": "nwnd-superlative-en",
            "kind": "prohibited",
            "severity": "blocking",
            "words": ["best coffee in the world", "best tea in the world", "world's best"],
            "replacement": "our finest",
            "note": "Northwind legal, claims guide 2026: no unprovable superlatives.",
        },
        {
            "id": "nwnd-health-claims",
            "kind": "prohibited",
            "severity": "blocking",
            "words": ["detox", "entgiftend", "entgiftet", "stärkt das Immunsystem",
                      "boosts immunity", "fatburner", "schlank"],
            "message": "“{match}” is a health claim; only claims authorised under Regulation "
                       "(EC) No 1924/2006 may be made for food and drink",
            "note": "EU Health Claims Regulation; Northwind legal keeps the authorised list.",
        },
        {
            "id": "nwnd-organic",
            "kind": "prohibited",
            "severity": "warning",
            "words": ["Bio", "organic", "öko"],
            "message": "“{match}”: only for products certified organic under Regulation (EU) "
                       "2018/848; check the product carries the EU organic logo",
            "note": "Northwind's teas are certified, its coffees only in part: check per SKU.",
        },
        {
            "id": "nwnd-brand-named",
            "kind": "required_text",
            "severity": "info",
            "text": "Northwind",
            "message": "The copy does not name the brand: Northwind's guide asks for "
                       "“Northwind” in at least one text",
            "note": "Northwind brand guide 2026, section 3.",
        },
        {
            "id": "nwnd-landing-pages",
            "kind": "url",
            "severity": "blocking",
            "https_only": True,
            "allowed_domains": ["northwind.example"],
            "note": "Only Northwind's own shop and brand pages.",
        },
    ],
}  # fmt: skip

CONTOSO_RULES: dict[str, Any] = {
    "version": 1,
    "rules": [
        {
            "id": "ctso-fastest-claim",
            "kind": "prohibited",
            "severity": "blocking",
            "words": ["fastest network", "fastest 5G", "most reliable network", "#1 network"],
            "replacement": "fast, reliable 5G",
            "message": "“{match}” is a comparative claim that needs current substantiation on "
                       "file with Contoso legal; say “fast, reliable 5G” or get it cleared",
            "note": "NAD decisions on network claims; Contoso legal clears each claim per "
                    "quarter against the latest third-party test.",
        },
        {
            "id": "ctso-unlimited",
            "kind": "prohibited",
            "severity": "warning",
            "words": ["unlimited"],
            "message": "“{match}”: Contoso's unlimited plans have a fair-use policy; the ad "
                       "or its landing page must say so next to the claim",
            "note": "FTC and state AG settlements on 'unlimited' data plans.",
        },
        {
            "id": "ctso-fees-and-free",
            "kind": "prohibited",
            "severity": "info",
            "words": ["no hidden fees", "free"],
            "message": "“{match}”: make sure the landing page shows every fee and condition "
                       "clearly",
            "note": "Contoso marketing guide: price claims are checked against the offer page.",
        },
        {
            "id": "ctso-landing-pages",
            "kind": "url",
            "severity": "blocking",
            "https_only": True,
            "allowed_domains": ["contoso.example"],
        },
    ],
}  # fmt: skip

FABRIKAM_RULES: dict[str, Any] = {
    "version": 1,
    "rules": [
        {
            "id": "fbrk-landing-pages",
            "kind": "url",
            "severity": "blocking",
            "https_only": True,
            "allowed_domains": ["fabrikam.example"],
            "field": "final url",
        },
        {
            "id": "fbrk-utm",
            "kind": "url",
            "severity": "warning",
            "required_params": ["utm_source", "utm_medium", "utm_campaign"],
            "field": "final url",
            "note": "Fabrikam's analytics team reads every visit by its UTM parameters.",
        },
        {
            "id": "fbrk-waterproof",
            "kind": "prohibited",
            "severity": "blocking",
            "words": ["100% waterproof", "completely waterproof", "never leaks",
                      "lifetime guarantee"],
            "replacement": "waterproof to 20,000 mm",
            "note": "Fabrikam product legal: state the tested rating, not an absolute.",
        },
    ],
}  # fmt: skip

FABRIKAM_KIDS_RULES: dict[str, Any] = {
    "version": 1,
    "rules": [
        {
            "id": "fbrk-kids-adults-only",
            "kind": "targeting",
            "severity": "blocking",
            "min_age": 18,
            "if_unknown": "warning",
            "when": {"channels": ["social", "online_video", "display", "influencer", "search"]},
            "message": "Fabrikam Kids advertises to parents: target adults (18+) only",
            "note": "Client brief; UK CAP Code section 5 (children) and Fabrikam's own policy.",
        },
    ],
}  # fmt: skip

OVERRIDE_REASON = (
    "Substantiated: Ookla Speedtest Intelligence, US median 5G download speeds, Q3 2026 ranks "
    "Contoso first among the national carriers. The report and our analysis are on file with "
    "Contoso legal (ref. CTSO-LGL-2026-114). Cleared until the Q4 report; check again in "
    "January."
)


def load_demo_compliance(today: date) -> None:
    """Rule sets, copy with findings and one override for the demo agency, once (nothing is
    done when any rule set exists, or without the demo agency)."""
    if RuleSet.objects.exists():
        return
    people = {user.email: user for user in User.objects.filter(email__endswith="@demo.test")}
    if not {"alice@demo.test", "ben@demo.test", "lea@demo.test"} <= people.keys():
        return
    with transaction.atomic():
        _Demo(people, today).load()


class _Demo:
    def __init__(self, people: dict[str, User], today: date) -> None:
        self.today = today
        self.alice = people["alice@demo.test"]
        self.ben = people["ben@demo.test"]
        self.lea = people["lea@demo.test"]
        self.dan = people.get("dan@demo.test")
        organization = self.alice.organization
        if organization is None:
            raise RuntimeError("The demo's organization admin belongs to no organization.")
        self.organization: Organization = organization
        self.clients = {
            client.code: client for client in Client.objects.filter(organization=self.organization)
        }
        self.campaigns = {
            campaign.code: campaign
            for campaign in Campaign.objects.filter(
                client__organization=self.organization,
                code__in=["NWND-WT26", "NWND-CB27", "CTSO-5G26"],
            ).select_related("client", "brand")
        }

    def load(self) -> None:
        self.rule_sets()
        if "NWND-WT26" in self.campaigns:
            self.wintertee()
        if "CTSO-5G26" in self.campaigns:
            self.speed_claim()
        if "NWND-CB27" in self.campaigns:
            self.creator_caption()

    # --- rule sets ----------------------------------------------------------------------------

    def rule_sets(self) -> None:
        for key, pack in starter_packs().items():
            services.save_rule_set(
                self.lea,
                organization=self.organization,
                name=pack.name,
                rules=pack.rules,
                markets=PACK_MARKETS.get(key, []),
                description=pack.note,
                starter=key,
            )
        northwind = self.clients.get("NWND")
        if northwind is not None:
            services.save_rule_set(
                self.lea, organization=self.organization, client=northwind,
                name="Northwind claims and brand", rules=NORTHWIND_RULES,
                description="Northwind legal's claims guide and brand guide, 2026.",
            )  # fmt: skip
        contoso = self.clients.get("CTSO")
        if contoso is not None:
            services.save_rule_set(
                self.lea, organization=self.organization, client=contoso,
                name="Contoso Mobile claims", rules=CONTOSO_RULES, markets=["US", "CA"],
                description="Network, plan and price claims, as Contoso legal clears them.",
            )  # fmt: skip
        fabrikam = self.clients.get("FBRK")
        if fabrikam is not None:
            services.save_rule_set(
                self.alice, organization=self.organization, client=fabrikam,
                name="Fabrikam landing pages and product claims", rules=FABRIKAM_RULES,
                description="Landing pages, tracking and product claims.",
            )  # fmt: skip
            kids = Brand.objects.filter(client=fabrikam, name="Fabrikam Kids").first()
            if kids is not None:
                services.save_rule_set(
                    self.alice, organization=self.organization, client=fabrikam, brand=kids,
                    name="Fabrikam Kids: parents, not children", rules=FABRIKAM_KIDS_RULES,
                    description="Fabrikam Kids sells to parents; children are never targeted.",
                )  # fmt: skip
            services.set_categories(self.alice, fabrikam, [Category.CHILDREN])

    # --- copy ---------------------------------------------------------------------------------

    def placement(self, code: str, channel: str) -> Placement | None:
        return next(
            (p for p in placements_for_delivery(self.campaigns[code]) if p.channel == channel),
            None,
        )

    def copy(
        self,
        code: str,
        channel: str,
        name: str,
        copy: dict[str, Any],
        tags: list[str],
        note: str = "",
    ) -> Asset:
        campaign = self.campaigns[code]
        placement = self.placement(code, channel)
        return creative.upload_copy(
            self.ben,
            client=campaign.client,
            copy=copy,
            name=name,
            campaign=campaign,
            line_keys=[placement.line_key] if placement else [],
            tags=tags,
            note=note,
        ).asset

    def wintertee(self) -> None:
        """Version 1 breaks a blocking rule, changes are asked for, version 2 goes through."""
        copy: dict[str, Any] = {
            "headlines": ["Northwind Wintertee", "Bester Tee der Welt",
                          "Bio-Tee mit Zimt & Orange", "Versandkostenfrei ab 30 EUR"],
            "descriptions": ["Zimt, Orange und Rooibos: unsere Wintermischungen für lange "
                             "Abende.",
                             "Bio-Tees von Northwind. Online bestellen, in 2 Tagen bei dir."],
            "paths": ["wintertee", "bio"],
            "final url": "https://www.northwind.example/de/wintertee",
        }  # fmt: skip
        asset = self.copy(
            "NWND-WT26", "search", "Winter Tea - Wintertee search ads (DE)", copy,
            ["search", "Winter Tea"],
        )  # fmt: skip
        first = creative.start_review(self.ben, asset)
        creative.decide(
            self.ben, first.stages.get(position=1), Decision.REQUEST_CHANGES,
            "“Bester Tee der Welt” is blocked by Northwind's claims guide: use “Unser feinster "
            "Wintertee”.",
        )  # fmt: skip
        copy["headlines"][1] = "Unser feinster Wintertee"
        creative.upload_copy(
            self.ben, client=asset.client, copy=copy, name=asset.name, asset=asset,
            note="Headline 2 without the superlative.",
        )  # fmt: skip
        asset.refresh_from_db()
        self.approve_all(asset, "Freigegeben.")

    def speed_claim(self) -> None:
        """A blocking speed claim, overridden by Lea with the substantiation, then approved."""
        asset = self.copy(
            "CTSO-5G26", "search", "5G Everywhere - speed claim search ads",
            {
                "headlines": ["Contoso 5G Everywhere", "America's Fastest 5G",
                              "Unlimited 5G from $45/Month", "Switch in 10 Minutes"],
                "descriptions": ["Ranked first for median 5G download speeds. Switch online "
                                 "today.",
                                 "No hidden fees. Bring your phone and keep your number."],
                "paths": ["5g", "speed"],
                "final url": "https://www.contoso.example/5g/speed",
            },
            ["search", "5G"],
        )  # fmt: skip
        version = _current(asset)
        claim = next(
            item
            for item in services.check_version(version)
            if item.finding.rule == "ctso-fastest-claim"
        )
        services.override(
            self.lea,
            key=claim.key,
            field=claim.finding.field,
            item=claim.finding.item,
            reason=OVERRIDE_REASON,
            version=version,
        )
        self.approve_all(asset, "Approved with the Q3 speed claim.")

    def creator_caption(self) -> None:
        """Sponsored content without an advertising label: blocked, waiting in review."""
        asset = self.copy(
            "NWND-CB27", "influencer", "Cold Brew - creator caption (@mara.brews)",
            {
                "primary text": "Mein Sommer-Ritual: Cold Brew von Northwind, eiskalt mit "
                                "Hafermilch ☀️ Schmeckt nach Urlaub! #coldbrew #sommer",
                "call to action": "Mehr erfahren",
                "final url": "https://www.northwind.example/cold-brew",
            },
            ["sponsored", "influencer", "Cold Brew"],
            note="Draft from the creator collective (Mia Novak).",
        )  # fmt: skip
        round_ = creative.start_review(self.ben, asset)
        creative.add_comment(
            self.lea, round_,
            "This is a paid partnership: the caption must start with “Anzeige” or “Werbung” "
            "(or #ad) before anything else. @ben@demo.test please ask Mia to add it.",
        )  # fmt: skip

    # --- review -------------------------------------------------------------------------------

    def approve_all(self, asset: Asset, client_note: str) -> ReviewRound:
        """Ben as creative lead, Alice for legal, then the client: Dan where he reviews for
        the client, else the client's contact through a review link."""
        round_ = creative.start_review(self.ben, asset)
        for stage in round_.stages.order_by("position"):
            stage.refresh_from_db()
            if stage.who == ReviewerKind.CLIENT:
                self.client_decides(stage, client_note)
            else:
                decider = self.ben if stage.position == 1 else self.alice
                creative.decide(decider, stage, Decision.APPROVE)
        round_.refresh_from_db()
        return round_

    def client_decides(self, stage: Any, note: str) -> None:
        if self.dan is not None and creative.may_decide(self.dan, stage):
            creative.decide(self.dan, stage, Decision.APPROVE, note)
            return
        name, email = "Morgan Reyes (Contoso Mobile)", "morgan.reyes@contoso.example"
        creative.send_review_link(self.ben, stage, name=name, email=email)
        linked, who = creative.stage_for_link(creative.review_link(stage, name))
        creative.decide(None, linked, Decision.APPROVE, note, outsider=who)


def _current(asset: Asset) -> AssetVersion:
    asset.refresh_from_db()
    if asset.current_version is None:
        raise RuntimeError(f"The demo asset {asset.name} has no version.")
    return asset.current_version
