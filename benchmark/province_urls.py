"""The province's aggregate statistics, under /province/."""

app_name = "province"

urlpatterns = []
