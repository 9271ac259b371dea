from django.urls import path

from mediadesk.planning import grid_views, plan_views, views

app_name = "planning"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:campaign_id>/archive/", views.campaign_archive, name="campaign_archive"),
    path("<int:campaign_id>/plan/", plan_views.campaign_plan, name="campaign_plan"),
    path("<int:campaign_id>/plan/start/", plan_views.start_plan, name="start_plan"),
    path("<int:campaign_id>/plan/import/", plan_views.plan_import, name="plan_import"),
    path(
        "plan-imports/<int:import_id>/",
        plan_views.plan_import_preview,
        name="plan_import_preview",
    ),
    path("plans/<int:plan_id>/export/", plan_views.plan_export, name="plan_export"),
    path("plans/<int:plan_id>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/flowchart/", plan_views.plan_flowchart, name="plan_flowchart"),
    path("plans/<int:plan_id>/grid/", grid_views.plan_grid, name="plan_grid"),
    path("plans/<int:plan_id>/grid/rows/", grid_views.grid_rows, name="plan_grid_rows"),
    path("plans/<int:plan_id>/grid/delete/", grid_views.grid_delete, name="plan_grid_delete"),
    path("plans/<int:plan_id>/diff/<int:other_plan_id>/", plan_views.plan_diff, name="plan_diff"),
    path("plans/<int:plan_id>/<slug:action>/", plan_views.plan_action, name="plan_action"),
    path(
        "placements/<int:placement_id>/delete/",
        plan_views.delete_placement,
        name="delete_placement",
    ),
]
