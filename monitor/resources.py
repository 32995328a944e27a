"""Import and export of organisations: one definition for the admin and the command."""

from pathlib import Path

import tablib
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .models import Organisation, Question
from .services.questionnaires import QUESTION_FIELDS

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_FILES = [DATA_DIR / "provinces.csv", DATA_DIR / "municipalities.csv"]


class OrganisationResource(resources.ModelResource):
    # A list of municipalities needs no "kind" column; a missing one means municipality.
    kind = fields.Field(attribute="kind", column_name="kind")

    class Meta:
        model = Organisation
        fields = ("cbs_code", "name", "kind", "province", "region")
        export_order = fields
        import_id_fields = ("cbs_code",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        row["cbs_code"] = (row.get("cbs_code") or "").strip().upper()
        row["kind"] = (row.get("kind") or Organisation.Kind.MUNICIPALITY).strip()
        row["region"] = (row.get("region") or "").strip()


def organisations_load(path: Path, *, dry_run: bool = False):
    """Create or update the organisations in a CSV file; running it twice changes nothing."""
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    return OrganisationResource().import_data(dataset, dry_run=dry_run, raise_errors=True)


class TagsWidget(widgets.JSONWidget):
    """A question's tags as a JSON list of text; which tags are known, the model checks."""

    def clean(self, value, row=None, **kwargs):
        try:
            tags = super().clean(value, row, **kwargs)
        except ValueError:  # not JSON, or a number of more digits than Python reads
            tags = None
        if tags is None and not value:
            return []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ValueError(_('Enter the tags as a list, e.g. ["gww", "energie"].'))
        return tags


class QuestionResource(resources.ModelResource):
    """Questions of one edition as rows: for checking and editing in a spreadsheet. Options
    travel in one column as ``key=points:label`` separated by `` | ``. Each row changed is
    checked as the model checks it (its type, level and tags), so a spreadsheet cannot store
    what the admin's form would refuse."""

    edition = fields.Field(attribute="edition__year", column_name="edition", readonly=True)
    section = fields.Field(attribute="section__key", column_name="section", readonly=True)
    options = fields.Field(column_name="options", readonly=True)
    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget())

    class Meta:
        model = Question
        fields = ("edition", "section", "key", "position", *QUESTION_FIELDS, "options")
        export_order = fields
        import_id_fields = ("key",)
        skip_unchanged = True
        clean_model_instances = True

    def get_queryset(self):
        return (
            super().get_queryset().select_related("edition", "section").prefetch_related("options")
        )

    def dehydrate_options(self, question):
        return " | ".join(f"{o.key}={o.points}:{o.label}" for o in question.options.all())

    def get_instance(self, instance_loader, row):
        # Imports change existing questions of the edition named in the row; new questions
        # come in through a questionnaire file, which also places them in a section.
        return Question.objects.filter(edition__year=row.get("edition"), key=row.get("key")).first()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return instance.pk is None or super().skip_row(
            instance, original, row, import_validation_errors
        )
