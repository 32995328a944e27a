from django.urls import path

from . import views

app_name = "monitor"

urlpatterns = [
    path("<slug:code>/team/", views.team, name="team"),
]
