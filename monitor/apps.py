from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "monitor"
    verbose_name = _("Monitor")

    def ready(self):
        # Connect the signal receivers of the audit trail and of the questionnaire's copies.
        from . import audit, questionnaire  # noqa: F401
