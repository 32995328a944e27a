"""One autosave touches one question: at most ten SQL queries, whatever the question and
however long the questionnaire (issue 12). The organisation, edition and scan are read once
and the scan is locked by that same read; the questionnaire comes from the process's copy.

What a save by the penvoerder sends: the session and the user (every page does), the scan with
its organisation and edition (locked), the answer with the amounts it is checked against, and
the answer written with its line in the scan's trail: five statements on PostgreSQL, where
the last two writes are one statement; on SQLite the two writes are two statements, and the
transaction's BEGIN and COMMIT are counted too: eight. A contributor's save also reads the
sections handed to them: six and nine.

The tests run outside a test transaction (``transactional_db``), as a request does in
production: inside a test transaction the request's own transaction would be counted as a
savepoint."""

import json

import pytest
from django.urls import reverse

from monitor.models import Answer, Question, ScanChange, SectionAssignment

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 10
JSON = {"HTTP_ACCEPT": "application/json"}


def autosave(client, key, value, version=0, original=None):
    data = {f"{key}-value": value, f"{key}-version": str(version)}
    if original is not None:
        data[f"{key}-original"] = json.dumps(original)
    return client.post(reverse("monitor:answer_autosave", args=["gm0197", 2026, key]), data, **JSON)


@pytest.fixture
def started(client, alice, scan_a):
    """A's scan has its first answer, and this process has read the questionnaire."""
    client.force_login(alice)
    assert autosave(client, "fte_inkoop", "1").status_code == 200
    return scan_a


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("coordinator", "ja"),  # a choice
        ("instrumenten", ["emvi", "marktconsultatie"]),  # multiple choice
        ("spend_gww_circulair", "1000"),  # an amount checked against its total
        ("spend_gww_totaal", "5000"),  # a total checked against its part
        ("toelichting", "Zo doen wij dat."),  # free text
    ],
)
def test_a_save_by_the_penvoerder_runs_at_most_ten_queries(
    client, started, django_assert_max_num_queries, key, value
):
    with django_assert_max_num_queries(BUDGET):
        response = autosave(client, key, value)
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert Answer.objects.get(scan=started, question__key=key).value == value


def test_a_save_by_a_contributor_runs_at_most_ten_queries(
    client, started, bob, django_assert_max_num_queries
):
    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    client.force_login(bob)
    client.get("/")
    with django_assert_max_num_queries(BUDGET):
        response = autosave(client, "fte_inkoop", "2", version=1, original="1")
    assert response.json()["saved"] is True
    assert Answer.objects.get(scan=started, question__key="fte_inkoop").value == "2"


def test_the_queries_of_a_save_do_not_grow_with_the_questionnaire(
    client, started, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(BUDGET) as short:
        autosave(client, "coordinator", "ja")
    queries = len(short)  # now: the log is emptied by the next request
    section = started.edition.sections.get(key="beleid")
    for position in range(40):
        Question.objects.create(
            edition=started.edition,
            section=section,
            key=f"extra_{position}",
            type=Question.Type.TEXT,
            position=10 + position,
            text=f"Extra {position}",
            level="strategisch",
            max_length=100,
        )
    # The questionnaire changed: this process reads it again once, on the next page of the scan.
    section_page = reverse("monitor:scan_section", args=["gm0197", 2026, "beleid"])
    assert client.get(section_page).status_code == 200
    with django_assert_num_queries(queries):
        autosave(client, "coordinator", "nee", version=1, original="ja")


def test_the_json_answer_carries_what_the_page_takes_over(client, started):
    response = autosave(client, "coordinator", "ja")
    state = response.json()
    assert state["saved"] is True
    assert state["version"] == 1
    assert json.loads(state["original"]) == "ja"
    assert state["status"].startswith("Opgeslagen om ")
    # Saving the same value again (a second tab) changes nothing and says so.
    again = autosave(client, "coordinator", "ja", version=1, original="nee")
    assert again.json() == {"saved": False}
    assert ScanChange.objects.filter(question__key="coordinator").count() == 1


def test_a_mistake_is_answered_with_the_block_and_its_message(client, started):
    response = autosave(client, "fte_inkoop", "twee", version=1, original="1")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'data-state="error"' in body
    assert "Vul een getal in" in body
    assert 'value="twee"' in body  # what was typed stays in the field
