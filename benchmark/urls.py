from django.urls import path

from . import views

app_name = "benchmark"

urlpatterns = [
    path("top10/<int:year>/", views.top_ten, name="top_ten"),
    path("reports/<int:year>/", views.reports_all, name="reports_all"),
    path("<slug:code>/<int:year>/", views.results, name="results"),
    path("<slug:code>/<int:year>/<slug:chart>.svg", views.results_chart, name="results_chart"),
    path("<slug:code>/<int:year>/naming/", views.naming_consent, name="naming_consent"),
    path("<slug:code>/<int:year>/goals/", views.goal_set, name="goal_set"),
    path("<slug:code>/<int:year>/report/", views.report, name="report"),
    path("<slug:code>/<int:year>/report.pdf", views.report_download, name="report_download"),
]
