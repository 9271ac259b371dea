from django.urls import path

from mediadesk.creative import campaign_views, views

app_name = "creative"

urlpatterns = [
    # The asset library, one asset, its versions, rights and reviews (views.py).
    path("creative/", views.asset_list, name="asset_list"),
    path("creative/upload/", views.asset_upload, name="asset_upload"),
    path("creative/copy/new/", views.copy_new, name="copy_new"),
    path("creative/<int:asset_id>/", views.asset_detail, name="asset_detail"),
    path("creative/<int:asset_id>/edit/", views.asset_edit, name="asset_edit"),
    path("creative/<int:asset_id>/versions/", views.version_upload, name="version_upload"),
    path("creative/<int:asset_id>/compare/", views.version_compare, name="version_compare"),
    path("creative/<int:asset_id>/rights/", views.right_add, name="right_add"),
    path("creative/rights/<int:right_id>/remove/", views.right_remove, name="right_remove"),
    path("creative/<int:asset_id>/archive/", views.asset_archive, name="asset_archive"),
    path("creative/<int:asset_id>/review/", views.review_start, name="review_start"),
    path("creative/stages/<int:stage_id>/decide/", views.stage_decide, name="stage_decide"),
    path("creative/stages/<int:stage_id>/link/", views.stage_link, name="stage_link"),
    path("creative/rounds/<int:round_id>/comments/", views.comment_add, name="comment_add"),
    path(
        "creative/comments/<int:comment_id>/resolve/", views.comment_resolve, name="comment_resolve"
    ),
    # Files are served only through these views, each of which checks who may see the asset.
    path("creative/versions/<int:version_id>/file", views.version_file, name="version_file"),
    path(
        "creative/versions/<int:version_id>/preview", views.version_preview, name="version_preview"
    ),
    # A client reviewer without a seat: the signed link is the key (services.stage_for_link).
    path("creative/review/<str:token>/", views.review_link, name="review_link"),
    path("creative/review/<str:token>/file", views.review_link_file, name="review_link_file"),
    # A vendor downloading a trafficked file from its sheet (trafficking.version_for_link).
    path("creative/files/<str:token>/", views.file_link, name="file_link"),
    # Campaign creative, trafficking, deadlines, specs and settings (campaign_views.py).
    path(
        "campaigns/<int:campaign_id>/creative/",
        campaign_views.campaign_creative,
        name="campaign_creative",
    ),
    path(
        "campaigns/<int:campaign_id>/creative/spec/",
        campaign_views.placement_spec,
        name="placement_spec",
    ),
    path(
        "campaigns/<int:campaign_id>/trafficking/",
        campaign_views.campaign_trafficking,
        name="campaign_trafficking",
    ),
    path(
        "campaigns/<int:campaign_id>/trafficking/assign/",
        campaign_views.trafficking_assign,
        name="trafficking_assign",
    ),
    path(
        "trafficking/<int:assignment_id>/remove/",
        campaign_views.trafficking_remove,
        name="trafficking_remove",
    ),
    path(
        "campaigns/<int:campaign_id>/trafficking/sheet.xlsx",
        campaign_views.trafficking_sheet,
        name="trafficking_sheet",
    ),
    path(
        "campaigns/<int:campaign_id>/trafficking/email/",
        campaign_views.trafficking_email,
        name="trafficking_email",
    ),
    path("creative/deadlines/", campaign_views.material_deadlines, name="material_deadlines"),
    path("creative/specs/", campaign_views.spec_library, name="spec_library"),
    path(
        "settings/clients/<int:client_id>/creative/",
        campaign_views.creative_settings,
        name="settings",
    ),
]
