from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "monitor"
    verbose_name = _("Monitor")

    def ready(self):
        from . import audit  # noqa: F401  (connects the audit trail's signal receivers)
