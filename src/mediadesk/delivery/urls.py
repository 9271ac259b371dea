from django.urls import path

from mediadesk.delivery import report_views, views

app_name = "delivery"

urlpatterns = [
    path(
        "campaigns/<int:campaign_id>/delivery/", views.campaign_delivery, name="campaign_delivery"
    ),
    path(
        "campaigns/<int:campaign_id>/delivery/import/",
        views.delivery_import,
        name="delivery_import",
    ),
    path(
        "campaigns/<int:campaign_id>/delivery/map/<uuid:pending>/",
        views.delivery_map,
        name="delivery_map",
    ),
    path(
        "campaigns/<int:campaign_id>/delivery/assign/",
        views.assign_unmatched,
        name="assign_unmatched",
    ),
    path("campaigns/<int:campaign_id>/delivery/rules/", views.matching_rules, name="rules"),
    path(
        "campaigns/<int:campaign_id>/delivery/performance/",
        views.campaign_performance,
        name="performance",
    ),
    path(
        "campaigns/<int:campaign_id>/delivery/report/",
        report_views.campaign_report,
        name="campaign_report",
    ),
    path(
        "delivery/imports/<int:delivery_import_id>/rollback/",
        views.rollback_import,
        name="rollback_import",
    ),
    path("delivery/rules/<int:rule_id>/delete/", views.delete_rule, name="delete_rule"),
    path(
        "campaigns/<int:campaign_id>/delivery/mappings/<int:mapping_id>/delete/",
        views.delete_mapping,
        name="delete_mapping",
    ),
    path("delivery/pacing/", views.pacing_overview, name="pacing_overview"),
]
