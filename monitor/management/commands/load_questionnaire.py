from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from monitor.services.questionnaires import QUESTIONNAIRE_DIR, questionnaire_load


class Command(BaseCommand):
    help = (
        "Create or update an edition's questionnaire from a file in monitor/questionnaires/ "
        "(or any path). Loading the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="e.g. 2026.toml or a path")

    def handle(self, *args, files, **options):
        for name in files:
            path = Path(name)
            if not path.exists():
                path = QUESTIONNAIRE_DIR / name
            if not path.exists():
                raise CommandError(f"No questionnaire file {name}")
            try:
                edition = questionnaire_load(path)
            except ValidationError as error:
                raise CommandError(f"{path.name}: {'; '.join(error.messages)}") from error
            self.stdout.write(
                f"{path.name}: edition {edition.year}, {edition.sections.count()} sections, "
                f"{edition.questions.count()} questions"
            )
