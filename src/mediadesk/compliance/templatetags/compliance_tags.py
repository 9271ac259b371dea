"""The compliance part of other areas' pages: ``{% asset_compliance version %}`` on the asset
page shows the version's compliance findings (copy spans marked) and, for people with the legal
role, the form that overrides a blocking one."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from mediadesk.accounts.permissions import Action, can
from mediadesk.compliance.services import SPEC_SOURCE
from mediadesk.creative.models import AssetVersion

register = template.Library()


@register.inclusion_tag("compliance/partials/asset_findings.html", takes_context=True)
def asset_compliance(context: Any, version: AssetVersion | None) -> dict[str, Any]:
    """The findings of ``version`` for the people who work on its client internally (a client
    reviewer sees none). The spec check's own findings are listed by the asset page already;
    here only those that block (they are overridden here) or were overridden."""
    from mediadesk.compliance.views import version_rows

    request = context.get("request")
    user = getattr(request, "user", None)
    if version is None or user is None:
        return {"shown": False}
    asset = version.asset
    if not can(user, Action.VIEW_ALL_CAMPAIGNS, asset.client_id):
        return {"shown": False}
    rows = [
        row
        for row in version_rows(user, version, asset)
        if not row.found.key.startswith(f"{SPEC_SOURCE}:")
        or row.found.blocks
        or row.found.override is not None
    ]
    return {
        "shown": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "rows": rows,
        "blocking": sum(1 for row in rows if row.found.blocks),
        "may_override": can(user, Action.OVERRIDE_COMPLIANCE, asset.client_id),
        "next": request.get_full_path() + "#compliance",
        "campaign_url": reverse("compliance:campaign_compliance", args=[asset.campaign_id])
        if asset.campaign_id
        else "",
    }
