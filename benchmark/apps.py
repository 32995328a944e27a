from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarkConfig(AppConfig):
    name = "benchmark"
    verbose_name = _("Results")

    def ready(self):
        from monitor.services.scans import scan_submitted

        from .services import scan_scores_store

        def store_scores(sender, scan, **kwargs):
            scan_scores_store(scan=scan)

        scan_submitted.connect(store_scores, dispatch_uid="benchmark.store_scores", weak=False)
