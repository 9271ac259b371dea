from django.urls import path

from mediadesk.work import (
    calendar_views,
    meeting_views,
    notification_views,
    report_views,
    task_views,
    views,
)

app_name = "work"

urlpatterns = [
    # --- Today and the attention list ----------------------------------------------------------
    path("today/items/<int:item_id>/snooze/", views.item_snooze, name="item_snooze"),
    path("today/items/<int:item_id>/dismiss/", views.item_dismiss, name="item_dismiss"),
    path("today/items/<int:item_id>/task/", views.item_task, name="item_task"),
    path("today/silenced/", views.silenced_list, name="silenced_list"),
    path("today/silenced/<int:silence_id>/restore/", views.silence_restore, name="silence_restore"),
    path("today/refresh/", views.refresh, name="refresh"),
    path("clients/<int:client_id>/attention/", views.thresholds, name="thresholds"),
    # --- tasks and meetings --------------------------------------------------------------------
    # Tasks: the list (?view=mine|team|all, client, campaign, status, overdue, sort, format=csv),
    # the board, a new task (?client=&campaign=&subject_type=&subject_id=&title=), one task.
    path("tasks/", task_views.task_list, name="task_list"),
    path("tasks/new/", task_views.task_new, name="task_new"),
    path("tasks/board/", task_views.task_board, name="task_board"),
    path("tasks/<int:task_id>/", task_views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/status/", task_views.task_status, name="task_status"),
    path("tasks/<int:task_id>/comments/", task_views.task_comment, name="task_comment"),
    # Weekly meetings: the list, a new one, the meeting page and what is done on it.
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/start/", meeting_views.meeting_start, name="meeting_start"),
    path("meetings/<int:meeting_id>/notes/", meeting_views.meeting_notes, name="meeting_notes"),
    path(
        "meetings/<int:meeting_id>/action-items/",
        meeting_views.meeting_action_item,
        name="meeting_action_item",
    ),
    path("meetings/<int:meeting_id>/finish/", meeting_views.meeting_finish, name="meeting_finish"),
    path(
        "meetings/<int:meeting_id>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"
    ),
    # --- status reports and calendar -----------------------------------------------------------
    # Status reports: the latest per campaign (?client=), a campaign's reports and generating
    # this week's, one report (page, PDF, sending it), a client's schedule.
    path("reports/", report_views.report_index, name="report_index"),
    path(
        "campaigns/<int:campaign_id>/status-reports/",
        report_views.campaign_reports,
        name="campaign_reports",
    ),
    path(
        "campaigns/<int:campaign_id>/status-reports/generate/",
        report_views.report_generate,
        name="report_generate",
    ),
    path("reports/<int:report_id>/", report_views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/pdf/", report_views.report_pdf, name="report_pdf"),
    path("reports/<int:report_id>/send/", report_views.report_send, name="report_send"),
    path(
        "clients/<int:client_id>/status-reports/",
        report_views.report_schedule,
        name="report_schedule",
    ),
    # The calendar (?month=YYYY-MM, client, show=flights|placements|deadlines|reviews|meetings|
    # tasks, view=list), my private calendar addresses, and the feed (no login: the token).
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/", calendar_views.calendar_feed, name="calendar_feed"),
    path(
        "calendar/feed/<int:feed_id>/revoke/",
        calendar_views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:token>.ics", calendar_views.calendar_ics, name="calendar_ics"),
    # --- notifications, outbox, teams ----------------------------------------------------------
    # My notifications (?show=unread, page), following one (marks it read), my e-mail settings.
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:notification_id>/open/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "settings/notifications/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
    # The outbox (?status=pending|sent|failed, kind=email|slack|teams, page) and sending again.
    path("outbox/", notification_views.outbox_list, name="outbox"),
    path("outbox/<int:message_id>/", notification_views.outbox_detail, name="outbox_detail"),
    path("outbox/<int:message_id>/retry/", notification_views.outbox_retry, name="outbox_retry"),
    # Teams and their Slack / Microsoft Teams channels.
    path("teams/", notification_views.team_list, name="teams"),
    path("teams/<int:team_id>/", notification_views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/test/", notification_views.team_test, name="team_test"),
    path("teams/<int:team_id>/delete/", notification_views.team_delete, name="team_delete"),
]
