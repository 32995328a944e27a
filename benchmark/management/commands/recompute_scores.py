from django.core.management.base import BaseCommand, CommandError

from benchmark.services import edition_scores_recompute
from monitor.models import Edition


class Command(BaseCommand):
    help = "Recompute and store the scores of every submitted scan of an edition (or of all)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, years, **options):
        editions = Edition.objects.filter(year__in=years) if years else Edition.objects.all()
        if years and editions.count() != len(set(years)):
            raise CommandError("No edition for some of those years.")
        for edition in editions.order_by("year"):
            count = edition_scores_recompute(edition=edition)
            self.stdout.write(f"{edition.year}: {count} scans scored")
