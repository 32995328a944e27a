from django.urls import path

from . import views

app_name = "benchmark"

urlpatterns = [
    path("<slug:code>/<int:year>/", views.results, name="results"),
    path("<slug:code>/<int:year>/<slug:chart>.svg", views.results_chart, name="results_chart"),
]
