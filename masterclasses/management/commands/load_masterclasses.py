from django.core.management.base import BaseCommand, CommandError

from masterclasses.services import programme_load
from monitor.models import Edition


class Command(BaseCommand):
    help = "Create or update the masterclasses of an edition from masterclasses/programme.toml."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        edition = Edition.objects.filter(year=year).first()
        if edition is None:
            raise CommandError(f"There is no edition {year}; load its questionnaire first.")
        masterclasses = programme_load(edition=edition)
        self.stdout.write(self.style.SUCCESS(f"{len(masterclasses)} meetings of {year} ready."))
