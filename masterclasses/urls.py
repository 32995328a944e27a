from django.urls import path

from . import views

app_name = "masterclasses"

urlpatterns = [
    path("", views.programme, name="programme"),
    path("slotbijeenkomst/", views.closing_register, name="closing_register"),
    path("programme/<int:masterclass_id>/sessions/add/", views.session_add, name="session_add"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/register/", views.session_register, name="session_register"),
    path(
        "sessions/<int:session_id>/attendance/", views.session_attendance, name="session_attendance"
    ),
    path("sessions/<int:session_id>/import/", views.session_import, name="session_import"),
    path(
        "sessions/<int:session_id>/attendance/import/",
        views.attendance_import,
        name="attendance_import",
    ),
    path(
        "sessions/<int:session_id>/attendees.<slug:file_format>",
        views.session_export,
        name="session_export",
    ),
    path(
        "registrations/<int:registration_id>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "registrations/<int:registration_id>/data.json",
        views.attendee_export,
        name="attendee_export",
    ),
    path("registrations/<int:registration_id>/erase/", views.attendee_erase, name="attendee_erase"),
    path("<slug:code>/", views.organisation_overview, name="organisation"),
    path(
        "<slug:code>/<int:number>/", views.organisation_masterclass, name="organisation_masterclass"
    ),
]
