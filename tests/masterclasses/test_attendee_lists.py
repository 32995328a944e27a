"""The organiser's attendee list: downloaded as CSV and XLSX (safe against formula injection),
imported back as a list of registrations or of attendance, all rows or none."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.spreadsheets import spreadsheet_safe
from masterclasses.models import Registration
from masterclasses.services import registration_create
from monitor.models import AuditEvent
from tests.factories import attendee

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.test","klik")', "+SUM(1,2)", "-2+3", "@cmd", "=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_would_start_a_formula_becomes_text(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Anouk de Vries", "", 3, None, "Inkoper - GWW"])
def test_other_cells_stay_as_they_are(value):
    assert spreadsheet_safe(value) == value


@pytest.fixture
def listed(sessions, municipality_a, municipality_b):
    session = sessions[1]
    registration_create(
        session=session,
        organisation=municipality_a,
        by=None,
        **attendee(1, name=FORMULAS[0], function=FORMULAS[1], dietary="=cmd|' /C calc'!A0"),
    )
    registration_create(
        session=session, organisation=municipality_b, by=None, **attendee(2, name="Noor Bakker")
    )
    return session


def download(client, session, file_format):
    response = client.get(reverse("masterclasses:session_export", args=[session.pk, file_format]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def test_the_csv_download_holds_every_attendee_with_formulas_made_harmless(
    client, organiser, listed
):
    client.force_login(organiser)
    rows = list(csv.reader(io.StringIO(download(client, listed, "csv").decode("utf-8-sig"))))
    header, *people = rows
    assert header[:4] == ["Gemeente", "Naam", "E-mailadres", "Functie"]
    by_name = {row[1]: row for row in people}
    assert set(by_name) == {"'" + FORMULAS[0], "Noor Bakker"}
    dangerous = by_name["'" + FORMULAS[0]]
    assert dangerous[0] == "Aalten"
    assert dangerous[3] == "'" + FORMULAS[1]
    assert dangerous[4] == "'=cmd|' /C calc'!A0"
    for row in people:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDEE_EXPORTED)
    assert event.actor == organiser


def test_the_xlsx_download_holds_no_formula(client, organiser, listed):
    client.force_login(organiser)
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, listed, "xlsx"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'" + FORMULAS[0] in {cell.value for cell in cells}


def test_an_unknown_download_format_is_a_404(client, organiser, listed):
    client.force_login(organiser)
    url = reverse("masterclasses:session_export", args=[listed.pk, "pdf"])
    assert client.get(url).status_code == 404


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def register_list(client, session, listing: str):
    """Post a list of registrations, the Chatham House Rule confirmed."""
    return client.post(
        reverse("masterclasses:session_import", args=[session.pk]),
        {"file": upload("lijst.csv", listing), "chatham_house": "on"},
    )


def test_an_imported_list_registers_everyone_on_it(client, organiser, sessions):
    client.force_login(organiser)
    listing = (
        "gemeente;naam;e-mailadres;functie;dieetwensen\n"
        "GM0197;Femke Smit;femke@aalten.test;Inkoper;vegetarisch\n"
        "Apeldoorn;Joris Bos;joris@apeldoorn.test;Beleidsmedewerker;\n"
    )
    from tests.factories import OrganisationFactory

    OrganisationFactory(cbs_code="GM0197", name="Aalten")
    OrganisationFactory(cbs_code="GM0200", name="Apeldoorn")
    response = register_list(client, sessions[1], listing)
    assert response.status_code == 302
    registered = dict(sessions[1].registrations.values_list("email", "organisation__name"))
    assert registered == {"femke@aalten.test": "Aalten", "joris@apeldoorn.test": "Apeldoorn"}
    assert Registration.objects.get(email="femke@aalten.test").dietary == "vegetarisch"


def test_a_list_with_a_bad_line_registers_nobody_and_says_which_line(
    client, organiser, sessions, municipality_a
):
    client.force_login(organiser)
    for number in (1, 2, 3):
        registration_create(
            session=sessions[1], organisation=municipality_a, by=None, **attendee(number)
        )
    listing = (
        "municipality,name,email,function\n"
        "Apeldoorn,Joris Bos,joris@apeldoorn.test,Beleidsmedewerker\n"
        "Nergenshuizen,Piet,piet@x.test,Inkoper\n"
        "GM0197,Vierde,vierde@aalten.test,Inkoper\n"
    )
    from tests.factories import OrganisationFactory

    OrganisationFactory(cbs_code="GM0200", name="Apeldoorn")
    response = register_list(client, sessions[1], listing)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nergenshuizen" in page
    assert "Regel 3" in page and "Regel 4" in page
    assert "Aalten heeft al 3 mensen aangemeld" in page
    assert not Registration.objects.filter(email="joris@apeldoorn.test").exists()


def test_an_imported_list_needs_the_chatham_house_confirmation(client, organiser, sessions):
    client.force_login(organiser)
    response = client.post(
        reverse("masterclasses:session_import", args=[sessions[1].pk]),
        {"file": upload("lijst.csv", "gemeente,naam,e-mailadres,functie\nX,Y,z@x.test,F\n")},
    )
    assert response.status_code == 400
    assert "Chatham House Rule" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_file_that_is_no_list_gets_a_message_at_the_field(client, organiser, sessions):
    client.force_login(organiser)
    response = client.post(
        reverse("masterclasses:attendance_import", args=[sessions[1].pk]),
        {"file": SimpleUploadedFile("foto.png", b"\x89PNG\r\n", content_type="image/png")},
    )
    assert response.status_code == 400
    assert "Kies een CSV- of Excelbestand (.xlsx)." in response.content.decode()


def test_attendance_is_imported_from_the_downloaded_list(client, organiser, listed):
    client.force_login(organiser)
    rows = list(csv.reader(io.StringIO(download(client, listed, "csv").decode("utf-8-sig"))))
    header, *people = rows
    attended = header.index("Aanwezig")
    for row in people:
        row[attended] = "ja" if row[1] == "Noor Bakker" else "nee"
    out = io.StringIO()
    csv.writer(out).writerows([header, *people])
    response = client.post(
        reverse("masterclasses:attendance_import", args=[listed.pk]),
        {"file": upload("aanwezig.csv", out.getvalue())},
    )
    assert response.status_code == 302
    assert dict(listed.registrations.values_list("name", "attended")) == {
        FORMULAS[0]: False,
        "Noor Bakker": True,
    }


def test_attendance_of_someone_not_registered_saves_nothing(client, organiser, listed):
    client.force_login(organiser)
    listing = "e-mailadres,aanwezig\ncollega2@gemeente.test,ja\nonbekend@x.test,ja\n"
    response = client.post(
        reverse("masterclasses:attendance_import", args=[listed.pk]),
        {"file": upload("aanwezig.csv", listing)},
    )
    assert response.status_code == 400
    assert "onbekend@x.test" in response.content.decode()
    assert not listed.registrations.filter(attended=True).exists()


def test_one_attendees_data_is_exported_on_request_with_an_audit_entry(client, organiser, listed):
    client.force_login(organiser)
    registration = listed.registrations.get(name="Noor Bakker")
    response = client.get(reverse("masterclasses:attendee_export", args=[registration.pk]))
    data = json.loads(response.content)
    assert data["email"] == "collega2@gemeente.test"
    (row,) = data["registrations"]
    assert row["municipality"] == "Apeldoorn"
    assert row["chatham_house_rule_accepted_at"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDEE_EXPORTED)
    assert "Noor" not in event.object_repr + event.detail


def test_a_line_with_a_text_too_long_for_its_column_names_the_column(
    client, organiser, sessions, municipality_a
):
    client.force_login(organiser)
    client.post(reverse("set_language"), {"language": "en"})
    listing = (
        "gemeente,naam,e-mailadres,functie\n"
        f"GM0197,{'N' * 151},lang@aalten.test,Inkoper\n"
        "GM0197,Femke Smit,geen-adres,Inkoper\n"
    )
    response = register_list(client, sessions[1], listing)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 2: Name is longer than 150 characters." in page
    assert "Line 3: “geen-adres” is not a valid email address." in page
    assert not Registration.objects.exists()
