from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """The plumbing every app of ours uses: handing work to the workers (outbox, mail tasks),
    what a mail server's answer means, spreadsheets in and out, and shared form fields. It
    imports no app of ours."""

    name = "common"
    verbose_name = _("Background work")
