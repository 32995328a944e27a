from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MasterclassesConfig(AppConfig):
    name = "masterclasses"
    verbose_name = _("Masterclasses")
