"""The service desk's pages, under /servicedesk/."""

app_name = "servicedesk"

urlpatterns = []
