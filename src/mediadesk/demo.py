"""The demo agency: three clients, their brands, campaigns and people, loaded once.

Only in demo mode (MEDIADESK_ENV=demo, or the test suite): production refuses to create
accounts with the well-known demo password.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Brand, Client, Membership, Organization, User
from mediadesk.audit.services import channel
from mediadesk.domain.calendars import weeks_covering
from mediadesk.planning import services as planning
from mediadesk.planning.choices import CampaignStatus as S
from mediadesk.planning.models import Campaign
from mediadesk.vendors import services as vendors
from mediadesk.vendors.models import Vendor

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password, refused outside demo mode
DEMO_ORGANIZATION = "Harbour & Pine Media"

DEMO_USERS: list[tuple[str, str]] = [
    ("alice@demo.test", "organization admin: sees every client"),
    ("ben@demo.test", "coordinator on Northwind and Contoso Mobile"),
    ("cara@demo.test", "finance on every client"),
    ("dan@demo.test", "client reviewer at Northwind: sees only what is shared"),
    ("lea@demo.test", "legal on Northwind and Contoso Mobile: rule sets and overrides"),
]

CLIENTS = [
    # name, code, currency, brands
    ("Northwind", "NWND", "EUR", ["Northwind Coffee", "Northwind Tea"]),
    ("Contoso Mobile", "CTSO", "USD", ["Contoso 5G", "Contoso Prepaid"]),
    ("Fabrikam Outdoor", "FBRK", "GBP", ["Fabrikam Trail", "Fabrikam Kids"]),
]

CAMPAIGNS = [
    # client, brand, name, code, start, end, budget, currency, status, objectives, kpis, markets
    ("NWND", "Northwind Coffee", "Autumn Roast Launch", "NWND-AR26", date(2026, 9, 28),
     date(2026, 12, 20), "480000.00", "EUR", S.LIVE, ["awareness", "sales"],
     [{"kpi": "cpm", "target": "9.50"}, {"kpi": "reach", "target": "6500000"}], ["DE", "AT"]),
    ("NWND", "Northwind Tea", "Winter Tea Moments", "NWND-WT26", date(2026, 11, 16),
     date(2027, 2, 28), "215000.00", "EUR", S.BOOKED, ["consideration"],
     [{"kpi": "vcr", "target": "70"}], ["DE", "CH"]),
    ("NWND", "Northwind Coffee", "Spring Cold Brew", "NWND-CB27", date(2027, 3, 29),
     date(2027, 6, 27), "350000.00", "EUR", S.PLANNING, ["awareness", "traffic"],
     [{"kpi": "ctr", "target": "0.35"}], ["DE", "AT", "CH"]),
    ("NWND", "Northwind Tea", "Retail Partner Test (internal)", "NWND-RP27", date(2027, 1, 11),
     date(2027, 3, 7), "60000.00", "EUR", S.PLANNING, ["sales"],
     [{"kpi": "roas", "target": "3.2"}], ["DE"]),
    ("CTSO", "Contoso 5G", "5G Everywhere", "CTSO-5G26", date(2026, 10, 5),
     date(2026, 12, 27), "1250000.00", "USD", S.LIVE, ["awareness", "conversion"],
     [{"kpi": "cpa", "target": "42.00"}, {"kpi": "grps", "target": "850"}], ["US"]),
    ("CTSO", "Contoso Prepaid", "Back to School Prepaid", "CTSO-BTS26", date(2026, 7, 27),
     date(2026, 9, 6), "390000.00", "USD", S.COMPLETED, ["sales"],
     [{"kpi": "cpa", "target": "28.00"}], ["US", "CA"]),
    ("CTSO", "Contoso 5G", "Holiday Bundles", "CTSO-HOL26", date(2026, 11, 23),
     date(2027, 1, 3), "640000.00", "USD", S.BOOKED, ["sales", "leads"],
     [{"kpi": "cpl", "target": "18.00"}], ["US"]),
    ("CTSO", "Contoso Prepaid", "Spring Switch", "CTSO-SS27", date(2027, 3, 1),
     date(2027, 4, 25), "275000.00", "CAD", S.PLANNING, ["conversion"], [], ["CA"]),
    ("FBRK", "Fabrikam Trail", "Trail Season 2027", "FBRK-TS27", date(2027, 4, 5),
     date(2027, 8, 29), "520000.00", "GBP", S.PLANNING, ["awareness", "video_views"],
     [{"kpi": "cpv", "target": "0.04"}], ["GB", "IE"]),
    ("FBRK", "Fabrikam Kids", "Muddy Puddles", "FBRK-MP26", date(2026, 9, 14),
     date(2026, 11, 1), "145000.00", "GBP", S.COMPLETED, ["engagement"],
     [{"kpi": "ctr", "target": "0.8"}], ["GB"]),
    ("FBRK", "Fabrikam Trail", "Black Friday Gear", "FBRK-BF26", date(2026, 11, 20),
     date(2026, 11, 30), "90000.00", "GBP", S.CANCELLED, ["sales"], [], ["GB"]),
]  # fmt: skip


# Plan lines per campaign: channel, vendor, property, market, format, cost model, rate, quantity,
# and the flight as (first week, last week) counted from the campaign's start (None = whole).
PLANS: dict[str, list[tuple[Any, ...]]] = {
    "NWND-AR26": [
        ("linear_tv", "ProSiebenSat.1", "ProSieben prime time", "DE", "30s spot", "cpp", "450", "400", None),
        ("display", "Spiegel Media", "spiegel.de", "DE", "300x250", "cpm", "12.50", "8000000", None),
        ("online_video", "YouTube", "YouTube in-stream", "DE", "15s pre-roll", "cpcv", "0.03", "2000000", (0, 8)),
        ("social", "Meta", "Instagram feed", "AT", "1:1 image", "cpm", "8.00", "6000000", None),
        ("ooh", "Ströer", "Berlin Hbf mega-light", "DE", "18/1 poster", "flat", "40000", "1", (2, 5)),
        ("radio", "RMS", "Antenne Bayern", "DE", "30s spot", "per_spot", "350", "100", (0, 6)),
    ],
    "NWND-WT26": [
        ("ctv_ott", "Joyn", "Joyn CTV", "DE", "20s spot", "cpm", "28.00", "2500000", None),
        ("podcast", "Podimo", "Tea & Talk host read", "DE", "60s host read", "per_insertion", "1800", "24", None),
        ("magazine", "Burda", "Landlust", "CH", "full page", "per_insertion", "9500", "4", None),
        ("search", "Google Ads", "Brand + generic", "DE", "RSA", "cpc", "0.85", "60000", None),
    ],
    "NWND-CB27": [
        ("social", "TikTok", "TikTok in-feed", "DE", "9:16 video", "cpv", "0.02", "5000000", None),
        ("influencer", "Creator collective", "Cold-brew creators", "AT", "3 reels", "flat", "45000", "1", (1, 6)),
        ("dooh", "Ströer", "Public video", "CH", "10s loop", "cpm", "18.00", "4000000", None),
    ],
    "NWND-RP27": [
        ("retail_media", "REWE", "REWE onsite", "DE", "sponsored product", "cpa", "4.50", "8000", None),
    ],
    "CTSO-5G26": [
        ("linear_tv", "NBCUniversal", "NBC prime", "US", "30s spot", "cpp", "2400", "300", None),
        ("search", "Google Ads", "5G generic", "US", "RSA", "cpc", "2.40", "90000", None),
        ("social", "Meta", "Facebook + Instagram", "US", "video", "cpm", "11.00", "20000000", None),
        ("streaming_audio", "Spotify", "Spotify audio", "US", "30s audio", "cpm", "22.00", "5000000", (2, 10)),
        ("affiliate", "Awin", "Comparison sites", "US", "CPA offer", "cpa", "45.00", "2000", None),
    ],
    "CTSO-BTS26": [
        ("social", "Snap", "Snapchat stories", "US", "vertical video", "cpm", "7.50", "12000000", None),
        ("email", "Campus Newsletter Co", "Student newsletter", "US", "native block", "cpl", "6.00", "9000", None),
        ("native", "Taboola", "Recommendations", "CA", "native card", "cpc", "0.60", "150000", None),
    ],
    "CTSO-HOL26": [
        ("online_video", "Hulu", "Hulu ad-supported", "US", "30s", "cpcv", "0.045", "4000000", None),
        ("display", "The Trade Desk", "Open exchange", "US", "300x250, 728x90", "cpm", "6.50", "30000000", None),
        ("radio", "iHeartMedia", "iHeart network", "US", "30s spot", "per_spot", "900", "250", None),
        ("social", "Meta", "Holiday lead ads", "US", "lead form", "cpl", "14.00", "9000", None),
    ],
    "CTSO-SS27": [
        ("search", "Microsoft Advertising", "Bing switch terms", "CA", "RSA", "cpc", "1.90", "50000", None),
        ("social", "Meta", "Instagram reels", "CA", "9:16 video", "cpe", "0.12", "400000", None),
    ],
    "FBRK-TS27": [
        ("online_video", "YouTube", "Outdoor enthusiasts", "GB", "bumper 6s", "cpv", "0.03", "6000000", None),
        ("cinema", "Pearl & Dean", "Adventure films", "GB", "60s", "flat", "60000", "1", (4, 10)),
        ("newspaper", "The Guardian", "Weekend outdoors", "GB", "half page", "per_insertion", "7200", "8", None),
        ("ooh", "JCDecaux", "Lake District roadside", "GB", "48-sheet", "flat", "35000", "1", (0, 8)),
    ],
    "FBRK-MP26": [
        ("social", "TikTok", "Parents", "GB", "in-feed", "cpe", "0.09", "600000", None),
        ("magazine", "Immediate Media", "Gardeners' World", "GB", "DPS", "per_insertion", "12500", "3", None),
    ],
    "FBRK-BF26": [
        ("search", "Google Ads", "Black Friday gear", "GB", "RSA", "cpc", "1.10", "40000", None),
    ],
}  # fmt: skip

# Vendors of the demo plans: name, kind, website, payment terms, currency, contacts
# (name, role, e-mail, phone). The people are made up; their addresses use example domains.
VENDORS: list[tuple[str, str, str, str, str, list[tuple[str, str, str, str]]]] = [
    ("ProSiebenSat.1", "broadcaster", "https://www.prosiebensat1.com", "net_30", "EUR",
     [("Jana Vogel", "TV sales", "jana.vogel@example.de", "+49 89 0000 1001"),
      ("Tobias Rein", "Billing", "billing.p7s1@example.de", "")]),
    ("Spiegel Media", "publisher", "https://www.spiegel.media", "net_30", "EUR",
     [("Lena Brandt", "Digital sales", "lena.brandt@example.de", "+49 40 0000 2002")]),
    ("YouTube", "platform", "https://www.youtube.com/ads", "net_30", "EUR",
     [("Agency team DACH", "Account management", "youtube-dach@example.com", "")]),
    ("Google Ads", "platform", "https://ads.google.com", "net_30", "EUR", []),
    ("Meta", "platform", "https://www.facebook.com/business", "net_30", "USD",
     [("Priya Shah", "Agency partner", "priya.shah@example.com", "")]),
    ("Ströer", "publisher", "https://www.stroeer.de", "net_45", "EUR",
     [("Markus Feld", "OOH sales", "markus.feld@example.de", "+49 221 0000 3003")]),
    ("RMS", "network", "https://www.rms.de", "net_30", "EUR",
     [("Sabine Ott", "Radio sales", "sabine.ott@example.de", "+49 40 0000 4004")]),
    ("Joyn", "platform", "https://www.joyn.de", "net_30", "EUR", []),
    ("NBCUniversal", "broadcaster", "https://www.nbcuniversal.com", "net_60", "USD",
     [("Chris Murphy", "Ad sales", "chris.murphy@example.com", "+1 212 555 0101"),
      ("Dana Lee", "Traffic", "dana.lee@example.com", "+1 212 555 0102")]),
    ("Spotify", "platform", "https://ads.spotify.com", "net_30", "USD",
     [("Alex Kim", "Audio sales", "alex.kim@example.com", "")]),
    ("The Trade Desk", "platform", "https://www.thetradedesk.com", "net_45", "USD", []),
    ("iHeartMedia", "network", "https://www.iheartmedia.com", "net_60", "USD",
     [("Rosa Diaz", "Network sales", "rosa.diaz@example.com", "+1 210 555 0103")]),
    ("JCDecaux", "publisher", "https://www.jcdecaux.co.uk", "net_60", "GBP",
     [("Oliver Hughes", "Roadside sales", "oliver.hughes@example.co.uk", "+44 20 5550 0104")]),
    ("Creator collective", "creator", "", "net_30", "EUR",
     [("Mia Novak", "Talent manager", "mia.novak@example.at", "")]),
    ("Awin", "network", "https://www.awin.com", "net_30", "USD",
     [("Jordan Blake", "Publisher partnerships", "jordan.blake@example.com", "")]),
    ("Burda", "publisher", "https://www.burda.com", "net_45", "EUR", []),
    ("Campus Newsletter Co", "publisher", "", "net_30", "USD", []),
    ("Hulu", "platform", "https://advertising.hulu.com", "net_45", "USD", []),
    ("Immediate Media", "publisher", "https://www.immediate.co.uk", "net_45", "GBP", []),
    ("Microsoft Advertising", "platform", "https://ads.microsoft.com", "net_30", "USD", []),
    ("Pearl & Dean", "publisher", "https://www.pearlanddean.com", "net_60", "GBP", []),
    ("Podimo", "platform", "https://podimo.com", "net_30", "EUR", []),
    ("REWE", "network", "https://www.rewe-group.com", "net_45", "EUR", []),
    ("Snap", "platform", "https://forbusiness.snapchat.com", "net_30", "USD", []),
    ("Taboola", "network", "https://www.taboola.com", "net_30", "USD", []),
    ("The Guardian", "publisher", "https://advertising.theguardian.com", "net_30", "GBP", []),
    ("TikTok", "platform", "https://ads.tiktok.com", "net_30", "USD", []),
]  # fmt: skip

# Rate cards of demo vendors, matching the demo plans' lines: vendor, card name, currency,
# valid from, valid to, lines (format, market, daypart, cost model, rate). Some plan lines are
# priced above their card (ProSieben prime time, Spiegel, Ströer, Spotify, NBC), some below
# (YouTube, JCDecaux), some on it (RMS, Meta Europe); Meta's EUR card does not price USD lines.
RATE_CARDS: list[tuple[str, str, str, date, date | None, list[tuple[str, str, str, str, str]]]] = [
    ("ProSiebenSat.1", "TV rate card 2026", "EUR", date(2026, 1, 1), date(2026, 12, 31),
     [("30s spot", "DE", "", "cpp", "380"), ("30s spot", "DE", "Prime time", "cpp", "420")]),
    ("Spiegel Media", "Digital price list 2026", "EUR", date(2026, 1, 1), date(2026, 12, 31),
     [("300x250", "DE", "", "cpm", "12.00"), ("300x250", "AT", "", "cpm", "10.50")]),
    ("YouTube", "YouTube DACH 2026", "EUR", date(2026, 1, 1), date(2026, 12, 31),
     [("15s pre-roll", "", "", "cpcv", "0.035")]),
    ("Meta", "Meta Europe 2026", "EUR", date(2026, 1, 1), date(2026, 12, 31),
     [("1:1 image", "", "", "cpm", "8.00")]),
    ("Meta", "Meta North America 2026", "USD", date(2026, 1, 1), date(2026, 12, 31),
     [("video", "US", "", "cpm", "12.00"), ("lead form", "US", "", "cpl", "15.00")]),
    ("RMS", "Radio 2026", "EUR", date(2026, 1, 1), date(2026, 12, 31),
     [("30s spot", "DE", "", "per_spot", "350"), ("30s spot", "DE", "Morning drive", "per_spot", "420")]),
    ("Ströer", "OOH and DOOH 2026–27", "EUR", date(2026, 1, 1), None,
     [("18/1 poster", "DE", "", "flat", "38000"), ("10s loop", "CH", "", "cpm", "17.00")]),
    ("Spotify", "Spotify audio US 2026", "USD", date(2026, 1, 1), date(2026, 12, 31),
     [("30s audio", "US", "", "cpm", "20.00")]),
    ("NBCUniversal", "NBC upfront 2026–27", "USD", date(2026, 9, 1), date(2027, 8, 31),
     [("30s spot", "US", "", "cpp", "2100"), ("30s spot", "US", "Prime", "cpp", "2300")]),
    ("iHeartMedia", "iHeart network 2026", "USD", date(2026, 1, 1), date(2026, 12, 31),
     [("30s spot", "US", "", "per_spot", "900")]),
    ("JCDecaux", "UK roadside 2027", "GBP", date(2027, 1, 1), date(2027, 12, 31),
     [("48-sheet", "GB", "", "flat", "36000")]),
]  # fmt: skip

# A client's own deal: vendor, client, format, market, cost model, rate, currency, validity.
NEGOTIATED_RATES = [
    ("Meta", "CTSO", "video", "US", "cpm", "10.00", "USD", date(2026, 7, 1), date(2027, 6, 30)),
]  # fmt: skip

# Where each demo plan stands: campaigns that are live or done run on a client-approved plan.
PLAN_STAGES = {
    "live": "client_approved", "booked": "client_approved", "completed": "client_approved",
    "planning": "draft", "cancelled": "rejected",
}  # fmt: skip


def load_demo() -> bool:
    """Load the demo agency; False (and nothing changed) if it is already there."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured(
            "Demo logins exist only in demo mode; this instance runs with production settings."
        )
    if Organization.objects.filter(slug="demo").exists():
        return False
    with transaction.atomic(), channel("cli"):
        org = Organization.objects.create(name=DEMO_ORGANIZATION, slug="demo")
        people = {}
        for email, name, admin in [
            ("alice@demo.test", "Alice Archer", True),
            ("ben@demo.test", "Ben Brooks", False),
            ("cara@demo.test", "Cara Castillo", False),
            ("dan@demo.test", "Dan Dietrich", False),
            ("lea@demo.test", "Lea Lindqvist", False),
        ]:
            user = User(email=email, full_name=name, organization=org, is_org_admin=admin)
            user.set_password(DEMO_PASSWORD)
            user.save()
            people[email] = user
        clients = {}
        for name, code, currency, brands in CLIENTS:
            client = Client.objects.create(
                organization=org, name=name, code=code, default_currency=currency
            )
            clients[code] = client
            for brand in brands:
                Brand.objects.create(client=client, name=brand)
        memberships = [
            ("ben@demo.test", "NWND", Role.COORDINATOR),
            ("ben@demo.test", "CTSO", Role.COORDINATOR),
            ("cara@demo.test", "NWND", Role.FINANCE),
            ("cara@demo.test", "CTSO", Role.FINANCE),
            ("cara@demo.test", "FBRK", Role.FINANCE),
            ("dan@demo.test", "NWND", Role.CLIENT_REVIEWER),
            ("lea@demo.test", "NWND", Role.LEGAL),
            ("lea@demo.test", "CTSO", Role.LEGAL),
        ]
        for email, code, role in memberships:
            Membership.objects.create(user=people[email], client=clients[code], role=role)
        alice = people["alice@demo.test"]
        for row in CAMPAIGNS:
            code, brand, name, ccode, start, end, budget, currency, status, obj, kpis, mk = row
            client = clients[code]
            planning.create_campaign(
                alice,
                client_id=client.pk,
                values={
                    "brand": Brand.objects.get(client=client, name=brand),
                    "name": name,
                    "code": ccode,
                    "start": start,
                    "end": end,
                    "budget": Decimal(budget),
                    "currency": currency,
                    "status": status,
                    "objectives": obj,
                    "kpi_targets": kpis,
                    "markets": mk,
                    # Internal tests are not shown to the client's reviewers.
                    "shared_with_client": "internal" not in name,
                },
            )
        for campaign in Campaign.objects.filter(client__organization=org):
            _demo_plan(campaign, alice, people["dan@demo.test"])
        for name, kind, website, terms, currency, contacts in VENDORS:
            vendor = vendors.create_vendor(
                alice,
                {"name": name, "kind": kind, "website": website, "payment_terms": terms,
                 "currency": currency},
            )  # fmt: skip
            for contact, position, email, phone in contacts:
                vendors.add_contact(
                    alice, vendor, {"name": contact, "position": position, "email": email,
                                    "phone": phone},
                )  # fmt: skip
        _demo_rates_and_documents(org, alice, clients)
    return True


def _demo_rates_and_documents(org: Organization, admin: User, clients: dict[str, Client]) -> None:
    """Rate cards, a negotiated rate and documents (one expiring next month, one expired)."""
    by_name = {vendor.name: vendor for vendor in Vendor.objects.filter(organization=org)}
    for name, card_name, currency, valid_from, valid_to, lines in RATE_CARDS:
        vendors.create_rate_card(
            admin, by_name[name],
            {"name": card_name, "currency": currency, "valid_from": valid_from,
             "valid_to": valid_to},
            lines=[{"format": fmt, "market": market, "daypart": daypart, "cost_model": model,
                    "rate": Decimal(rate)} for fmt, market, daypart, model, rate in lines],
        )  # fmt: skip
    for name, code, fmt, market, model, rate, currency, start, end in NEGOTIATED_RATES:
        vendors.add_negotiated_rate(
            admin, by_name[name], clients[code],
            {"format": fmt, "market": market, "cost_model": model, "rate": Decimal(rate),
             "currency": currency, "valid_from": start, "valid_to": end,
             "notes": "Annual volume deal."},
        )  # fmt: skip
    today = timezone.localdate()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    documents = [
        # vendor, kind, file name, expires on, notes
        ("Spiegel Media", "contract", "spiegel-media-framework-agreement.pdf",
         max(next_month, today + timedelta(days=10)), "Framework agreement; renewal under way."),
        ("ProSiebenSat.1", "insurance", "p7s1-liability-insurance.pdf",
         today - timedelta(days=12), "Ask for the new certificate."),
        ("Meta", "tax_form", "meta-w8ben-e.pdf", None, ""),
    ]  # fmt: skip
    for name, kind, filename, expires_on, notes in documents:
        vendors.upload_document(
            admin, by_name[name], filename=filename, data=_demo_pdf(f"{name}: {filename}"),
            values={"kind": kind, "expires_on": expires_on, "notes": notes},
        )  # fmt: skip


def _demo_pdf(title: str) -> bytes:
    """A small valid one-page PDF saying ``title`` (demo documents need no real content)."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\")
    text = text.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 16 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip
    return bytes(pdf)


def _demo_plan(campaign: Campaign, planner: User, reviewer: User) -> None:
    version = planning.start_plan(planner, campaign, "First plan")
    for row in PLANS[campaign.code]:
        channel, vendor, prop, market, unit, model, rate, quantity, weeks = row
        start, end = campaign.start, campaign.end
        if weeks is not None:
            start = campaign.start + timedelta(weeks=weeks[0])
            end = min(campaign.end, campaign.start + timedelta(weeks=weeks[1], days=-1))
        values: dict[str, Any] = {
            "channel": channel, "vendor": vendor, "property_name": prop, "market": market,
            "format": unit, "cost_model": model, "rate": Decimal(rate),
            "quantity": Decimal(quantity), "start": start, "end": end,
            "material_deadline": start - timedelta(days=10),
        }  # fmt: skip
        if model == "cpp":
            values["universe"] = Decimal("2000000") if market != "US" else Decimal("120000000")
            # TV goes on air in bursts: every third week is dark.
            values["flighting"] = "pulsing"
            values["weights"] = {
                monday.isoformat(): "0" if n % 3 == 2 else "1"
                for n, monday in enumerate(weeks_covering(start, end))
            }
        planning.add_placement(planner, version, values)
    stage = PLAN_STAGES[campaign.status]
    if stage == "draft":
        return
    planning.submit_plan(planner, version, "Ready for review")
    if stage == "rejected":
        planning.reject_plan(planner, version, "Campaign cancelled before approval.")
        return
    planning.approve_plan(planner, version, "Within budget; approved.")
    if campaign.shared_with_client:
        client_approver = reviewer if campaign.client.code == "NWND" else planner
        planning.approve_plan(client_approver, version, "Approved for the client.")
    if campaign.code == "NWND-AR26":
        # A newer draft on top of the approved plan: more radio, one line less.
        draft = planning.new_draft(planner, version, "Shift budget from OOH to radio")
        radio = draft.placements.get(channel="radio")
        planning.update_placement(planner, radio, {"quantity": Decimal("140")}, "More spots")
        planning.delete_placement(planner, draft.placements.get(channel="ooh"), "Moved to radio")
