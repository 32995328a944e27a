"""Lists as CSV or XLSX: the ones a user takes home (attendees, status, statistics) and the ones
they bring in (attendee lists, attendance).

The files are made and read by django-import-export's tablib. Every text cell goes through
``spreadsheet_safe`` first: a cell a spreadsheet program would read as a formula (a name typed
as ``=HYPERLINK(...)``, say) becomes plain text. django-import-export's own switch for this only
strips one leading ``=``, which leaves ``+``, ``-``, ``@`` and ``==`` formulas working.
"""

from collections.abc import Iterable, Sequence

import tablib
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.formats.base_formats import CSV, XLSX

# OWASP's list: a cell starting with one of these may run as a formula in Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

FORMATS = {"csv": CSV, "xlsx": XLSX}


def spreadsheet_safe(value):
    """``value`` as it may go into a spreadsheet: text that could start a formula gets a
    leading apostrophe, which spreadsheets show as text; numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeExportResource(resources.ModelResource):
    """A ModelResource whose exported cells are all spreadsheet-safe."""

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))


def dataset_of(headers: Sequence[str], rows: Iterable[Sequence]) -> tablib.Dataset:
    """A dataset of plain rows (for tables that are no model's), every cell made safe."""
    dataset = tablib.Dataset(headers=[str(header) for header in headers])
    for row in rows:
        dataset.append([spreadsheet_safe(cell) for cell in row])
    return dataset


def download(dataset: tablib.Dataset, *, filename: str, file_format: str) -> HttpResponse:
    """The dataset as a file to save; ``file_format`` is "csv" or "xlsx" (else KeyError)."""
    fmt = FORMATS[file_format]()
    content = fmt.export_data(dataset)
    if isinstance(content, str):
        # With a byte-order mark, Excel opens a Dutch CSV with its accents intact.
        content = "\ufeff" + content
    response = HttpResponse(content, content_type=fmt.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


# --- Imports: a list a user uploads, read into rows ----------------------------------------

IMPORT_MAX_BYTES = 2 * 1024 * 1024


class ImportForm(forms.Form):
    """An uploaded CSV or XLSX list. ``columns`` maps each column the list needs to the
    headings it may carry (Dutch and English); valid, ``rows`` holds one dict per line, keyed by
    those columns. Commas and semicolons (what Dutch Excel writes) both work in a CSV."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV or Excel (.xlsx) file with the column names in its first row."),
    )

    def __init__(self, *args, columns: dict[str, tuple[str, ...]], required: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns, self.required = columns, required
        self.rows: list[dict] = []

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        dataset = _dataset_read(uploaded)
        headings = {}
        for position, heading in enumerate(dataset.headers or []):
            text = str(heading or "").strip().lower()
            for column, names in self.columns.items():
                if text == column or text in names:
                    headings[column] = position
        missing = [self.columns[c][0] for c in sorted(self.required) if c not in headings]
        if missing:
            raise ValidationError(
                _("The first row lacks the column(s): %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        for values in dataset:
            row = {column: _cell_text(values[position]) for column, position in headings.items()}
            if any(row.values()):
                self.rows.append(row)
        if not self.rows:
            raise ValidationError(_("The file holds no rows below the column names."))
        return uploaded


def _dataset_read(uploaded) -> tablib.Dataset:
    name = uploaded.name.lower()
    content = uploaded.read()
    try:
        if name.endswith(".xlsx"):
            return tablib.Dataset().load(content, format="xlsx")
        if name.endswith(".csv"):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = content.decode("cp1252")
            first_line = text.split("\n", 1)[0]
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            return tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except Exception as error:  # tablib and openpyxl raise many kinds for a damaged file
        raise ValidationError(_("The file could not be read as CSV or Excel.")) from error
    raise ValidationError(_("Choose a CSV or Excel (.xlsx) file."))


def _cell_text(value) -> str:
    return "" if value is None else str(value).strip()
