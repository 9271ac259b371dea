"""The fact table as each database holds it: monthly partitions on PostgreSQL, the model's
columns on both, and bulk loads that keep empty text apart from NULL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from mediadesk.delivery import services
from mediadesk.delivery.models import DeliveryFact
from mediadesk.delivery.store import partition_name

from .exports import SEARCH, daily, google_ads


def test_table_has_the_models_columns(db: Any) -> None:
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, "delivery_fact")
    assert {column.name for column in described} == {
        field.column for field in DeliveryFact._meta.local_fields
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_facts_land_in_monthly_partitions(demo: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    rows = daily(date(2026, 10, 28), 7, SEARCH)  # 28 Oct .. 3 Nov: two months
    services.import_delivery(demo.alice, campaign, filename="r.csv", data=google_ads(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, count(*) FROM delivery_fact f JOIN pg_class c "
            "ON c.oid = f.tableoid GROUP BY c.relname ORDER BY c.relname"
        )
        placed = dict(cursor.fetchall())
        cursor.execute("SELECT partstrat FROM pg_partitioned_table p JOIN pg_class c "
                       "ON c.oid = p.partrelid WHERE c.relname = 'delivery_fact'")  # fmt: skip
        assert cursor.fetchone() == ("r",)
    assert placed == {
        partition_name(date(2026, 10, 1)): 4,
        partition_name(date(2026, 11, 1)): 3,
    }


def test_unmatched_facts_keep_empty_text_not_null(demo: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    rows = daily(date(2026, 10, 5), 2, "Nothing of ours")
    services.import_delivery(demo.alice, campaign, filename="r.csv", data=google_ads(rows))
    assert DeliveryFact.objects.filter(line_key="", placement_key="").count() == 2
    assert not DeliveryFact.objects.filter(line_key__isnull=True).exists()


def test_rule_kind_choices_mirror_the_domain() -> None:
    from mediadesk.delivery.choices import RuleKind
    from mediadesk.domain.placement_matching import RULE_KIND_LABELS

    assert {(kind.value, label) for kind, label in RULE_KIND_LABELS.items()} == {
        (str(value), str(label)) for value, label in RuleKind.choices
    }
