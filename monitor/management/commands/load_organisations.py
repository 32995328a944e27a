from pathlib import Path

from django.core.management.base import BaseCommand

from monitor.resources import SHIPPED_FILES, organisations_load


class Command(BaseCommand):
    help = (
        "Create or update organisations from CSV files (cbs_code,name,province,region and an "
        "optional kind). Without arguments: the provinces and municipalities shipped with CIMoLT."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, files, dry_run, **options):
        for path in files or SHIPPED_FILES:
            result = organisations_load(path, dry_run=dry_run)
            totals = result.totals
            self.stdout.write(
                f"{path.name}: {totals['new']} new, {totals['update']} updated, "
                f"{totals['skip']} unchanged"
            )
