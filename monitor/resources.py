"""Import and export of organisations: one definition for the admin and the command."""

from pathlib import Path

import tablib
from import_export import fields, resources

from .models import Organisation

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
