"""The province's aggregate statistics, under /province/."""

from django.urls import path

from . import province_views as views

app_name = "province"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.statistics, name="statistics"),
    path(
        "<int:year>/statistics.<slug:file_format>",
        views.statistics_download,
        name="statistics_download",
    ),
]
