from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MasterclassesConfig(AppConfig):
    name = "masterclasses"
    verbose_name = _("Masterclasses")

    def ready(self):
        from monitor.demo import demo_seeded

        from .demo import demo_masterclasses_seed

        def seed(sender, edition, **kwargs):
            return demo_masterclasses_seed(edition=edition)

        demo_seeded.connect(seed, dispatch_uid="masterclasses.demo", weak=False)
