"""The service desk's pages, under /servicedesk/."""

from django.urls import path

from . import views

app_name = "servicedesk"

urlpatterns = [
    path("", views.index, name="index"),
    path("announcements/", views.announcement, name="announcement"),
    path("<int:year>/", views.status, name="status"),
    path("<int:year>/status.<slug:file_format>", views.status_export, name="status_export"),
    path("<int:year>/deadline/", views.deadline, name="deadline"),
    path("<slug:code>/", views.municipality, name="municipality"),
    path("<slug:code>/accounts/issue/", views.account_issue, name="account_issue"),
    path(
        "<slug:code>/accounts/<int:user_id>/penvoerder/",
        views.account_handover,
        name="account_handover",
    ),
    path(
        "<slug:code>/accounts/<int:user_id>/deactivate/",
        views.account_deactivate,
        name="account_deactivate",
    ),
    path("<slug:code>/accounts/<int:user_id>/link/", views.password_link, name="password_link"),
    path("<slug:code>/<int:year>/extension/", views.extension, name="extension"),
]
