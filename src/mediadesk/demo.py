"""The demo agency: three clients, their brands, campaigns and people, loaded once.

Only in demo mode (MEDIADESK_ENV=demo, or the test suite): production refuses to create
accounts with the well-known demo password.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Brand, Client, Membership, Organization, User
from mediadesk.audit.services import channel
from mediadesk.planning import services as planning
from mediadesk.planning.choices import CampaignStatus as S

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password, refused outside demo mode
DEMO_ORGANIZATION = "Harbour & Pine Media"

DEMO_USERS: list[tuple[str, str]] = [
    ("alice@demo.test", "organization admin: sees every client"),
    ("ben@demo.test", "coordinator on Northwind and Contoso Mobile"),
    ("cara@demo.test", "finance on every client"),
    ("dan@demo.test", "client reviewer at Northwind: sees only what is shared"),
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
    return True
