from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class CimoltConfig(AppConfig):
    name = "cimolt"
    verbose_name = "CIMoLT"

    def ready(self):
        from .middleware import SessionIdleMiddleware

        # A login saves the session anyway: count it as the session's latest save, so that the
        # first page after it does not save it again.
        user_logged_in.connect(
            SessionIdleMiddleware.mark_saved, dispatch_uid="cimolt.session_saved_at_login"
        )
