"""Loading the participating municipalities: by command and through the admin, idempotently."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from monitor.models import Organisation
from monitor.resources import DATA_DIR

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_organisations", stdout=out)
    return out.getvalue()


def test_the_shipped_list_loads_every_municipality_and_province():
    output = load()
    assert "municipalities.csv: 54 new" in output
    assert Organisation.objects.filter(kind="municipality").count() == 54
    assert Organisation.objects.filter(kind="province").count() == 12
    aalten = Organisation.objects.get(cbs_code="GM0197")
    assert (aalten.name, aalten.province, aalten.region) == ("Aalten", "Gelderland", "Achterhoek")


def test_the_shipped_list_is_the_programme_list():
    shared = DATA_DIR.parents[1].parent / "shared" / "data" / "municipalities.csv"
    if shared.exists():  # beside a checkout, the programme's own copy must match ours
        assert shared.read_text() == (DATA_DIR / "municipalities.csv").read_text()


def test_loading_twice_changes_nothing():
    load()
    before = list(Organisation.objects.values_list("pk", "cbs_code", "name", "region"))
    output = load()
    assert "0 new, 0 updated, 54 unchanged" in output
    assert list(Organisation.objects.values_list("pk", "cbs_code", "name", "region")) == before


def test_a_changed_region_is_updated_in_place():
    load()
    Organisation.objects.filter(cbs_code="GM0197").update(region="Elders")
    output = load()
    assert "0 new, 1 updated" in output
    assert Organisation.objects.get(cbs_code="GM0197").region == "Achterhoek"


def test_the_admin_imports_a_csv_in_two_steps(client, programme_admin):
    client.force_login(programme_admin)
    csv = (
        "cbs_code,name,province,region\n"
        "gm0197,Aalten,Gelderland,Achterhoek\n"
        "GM0202,Arnhem,Gelderland,Arnhem-Nijmegen\n"
    )
    upload = io.BytesIO(csv.encode())
    upload.name = "gemeenten.csv"
    url = reverse("admin:monitor_organisation_import")
    response = client.post(url, {"format": "0", "import_file": upload, "resource": "0"})
    assert response.status_code == 200
    assert not Organisation.objects.exists()  # the first step only shows what would change
    confirm = response.context["confirm_form"]
    response = client.post(
        reverse("admin:monitor_organisation_process_import"), confirm.initial, follow=True
    )
    assert response.status_code == 200
    assert set(
        Organisation.objects.filter(kind="municipality").values_list("cbs_code", flat=True)
    ) == {
        "GM0197",
        "GM0202",
    }


def test_the_admin_export_lists_the_organisations(client, programme_admin, municipality_a):
    client.force_login(programme_admin)
    response = client.post(
        reverse("admin:monitor_organisation_export"),
        {
            "format": "0",
            "resource": "0",
            "organisationresource_cbs_code": "on",
            "organisationresource_name": "on",
            "organisationresource_kind": "on",
            "organisationresource_province": "on",
            "organisationresource_region": "on",
        },
    )
    assert response.status_code == 200
    assert b"GM0197,Aalten,municipality,Gelderland,Achterhoek" in response.content


def test_a_malformed_code_is_refused_by_the_database(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(cbs_code="0197", name="Zonder prefix", province="Gelderland")
