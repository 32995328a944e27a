from django.urls import path

from . import views

app_name = "monitor"

scan = "<slug:code>/<int:year>/"

urlpatterns = [
    path("<slug:code>/team/", views.team, name="team"),
    path("<slug:code>/team/invite/", views.contributor_invite, name="contributor_invite"),
    path(
        "<slug:code>/team/<int:user_id>/withdraw/",
        views.contributor_withdraw,
        name="contributor_withdraw",
    ),
    path(scan, views.scan_overview, name="scan_overview"),
    path(scan + "prefill/", views.scan_prefill, name="scan_prefill"),
    path(scan + "review/", views.scan_review, name="scan_review"),
    path(scan + "history/", views.scan_history, name="scan_history"),
    path(scan + "reopen/", views.scan_reopen, name="scan_reopen"),
    path(scan + "section/<slug:section>/", views.scan_section, name="scan_section"),
    path(scan + "section/<slug:section>/confirm/", views.section_confirm, name="section_confirm"),
    path(scan + "answer/<slug:question>/", views.answer_autosave, name="answer_autosave"),
    path(scan + "answer/<slug:question>/evidence/", views.evidence_upload, name="evidence_upload"),
    path(scan + "answer/<slug:question>/remark/", views.remark_add, name="remark_add"),
    path(scan + "evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path(
        scan + "evidence/<int:evidence_id>/remove/", views.evidence_remove, name="evidence_remove"
    ),
]
