from django.urls import path

from mediadesk.compliance import views

app_name = "compliance"

urlpatterns = [
    # Rule sets: the list, a new one (from scratch, a starter pack or a file), one rule set with
    # its rules as a form, its export (?format=yaml|json), import of a revision, archiving.
    path("compliance/rule-sets/", views.rule_set_list, name="rule_set_list"),
    path("compliance/rule-sets/new/", views.rule_set_new, name="rule_set_new"),
    path("compliance/rule-sets/import/", views.rule_set_import_new, name="rule_set_import_new"),
    path("compliance/rule-sets/<int:rule_set_id>/", views.rule_set_detail, name="rule_set_detail"),
    path(
        "compliance/rule-sets/<int:rule_set_id>/import/",
        views.rule_set_import,
        name="rule_set_import",
    ),
    path(
        "compliance/rule-sets/<int:rule_set_id>/archive/",
        views.rule_set_archive,
        name="rule_set_archive",
    ),
    # Copy checked as it is typed (the page answers JSON to Accept: application/json).
    path("compliance/check/", views.check_copy, name="check"),
    # An asset version's blocking finding let through (from the asset page or the campaign's).
    path(
        "compliance/versions/<int:version_id>/override/",
        views.version_override,
        name="version_override",
    ),
    # A campaign's compliance: findings, overrides, decisions; ?format=xlsx|pdf for the report.
    path(
        "campaigns/<int:campaign_id>/compliance/",
        views.campaign_compliance,
        name="campaign_compliance",
    ),
    path(
        "campaigns/<int:campaign_id>/compliance/override/",
        views.placement_override,
        name="placement_override",
    ),
    # A client's regulated categories.
    path(
        "settings/clients/<int:client_id>/compliance/",
        views.client_categories,
        name="client_categories",
    ),
]
