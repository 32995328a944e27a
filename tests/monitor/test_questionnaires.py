"""The questionnaires of the two editions, loading them, and cloning one into the next year."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from monitor.dimensions import Category, FocusArea, Level, Spearhead
from monitor.models import Answer, Edition, Question, Scan
from monitor.services.questionnaires import QUESTIONNAIRE_DIR, edition_clone, questionnaire_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions():
    return questionnaire_load(QUESTIONNAIRE_DIR / "2025.toml"), questionnaire_load(
        QUESTIONNAIRE_DIR / "2026.toml"
    )


@pytest.mark.parametrize("year", [2025, 2026])
def test_each_edition_has_at_least_40_questions_covering_every_dimension_value_three_times(year):
    edition = questionnaire_load(QUESTIONNAIRE_DIR / f"{year}.toml")
    scored = list(edition.questions.filter(weight__gt=0))
    assert edition.questions.count() >= 40
    coverage = Counter(q.level for q in scored) + Counter(tag for q in scored for tag in q.tags)
    for choices in (Level, FocusArea, Category, Spearhead):
        for value in choices.values:
            assert coverage[value] >= 3, f"{year}: {value} is covered {coverage[value]} times"


@pytest.mark.parametrize("year", [2025, 2026])
def test_strategic_questions_cover_the_focus_areas_and_operational_ones_the_rest(year):
    edition = questionnaire_load(QUESTIONNAIRE_DIR / f"{year}.toml")
    strategic = {
        t for q in edition.questions.filter(level="strategisch", weight__gt=0) for t in q.tags
    }
    operational = {
        t for q in edition.questions.filter(level="operationeel", weight__gt=0) for t in q.tags
    }
    assert set(FocusArea.values) <= strategic
    assert set(Category.values) | set(Spearhead.values) <= operational


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_spend_block_asks_total_and_circular_euros_per_category(year):
    edition = questionnaire_load(QUESTIONNAIRE_DIR / f"{year}.toml")
    for category in Category.values:
        total = edition.questions.get(key=f"spend_{category}_totaal")
        circular = edition.questions.get(key=f"spend_{category}_circulair")
        assert total.type == circular.type == Question.Type.AMOUNT
        assert circular.not_more_than == total.key
        assert str(year - 1) in total.text


def test_the_second_edition_drops_adds_and_rewords_questions_with_stable_keys(editions):
    previous, current = editions
    before = {q.key: q.text for q in previous.questions.all()}
    after = {q.key: q.text for q in current.questions.all()}
    assert len(before.keys() - after.keys()) >= 2  # dropped
    assert len(after.keys() - before.keys()) >= 2  # added
    spend = {k for k in before if k.startswith("spend_")}
    reworded = {k for k in before.keys() & after.keys() if before[k] != after[k]} - spend
    assert len(reworded) >= 2
    assert len(before.keys() & after.keys()) >= 35  # most questions compare year on year


def test_loading_again_changes_nothing(editions):
    previous, _ = editions
    before = list(Question.objects.filter(edition=previous).values_list("pk", "key", "text"))
    call_command("load_questionnaire", "2025.toml", verbosity=0)
    assert (
        list(Question.objects.filter(edition=previous).values_list("pk", "key", "text")) == before
    )


def test_a_question_with_answers_is_not_removed_by_a_new_file(editions, municipality_a, tmp_path):
    previous, _ = editions
    scan = Scan.objects.create(organisation=municipality_a, edition=previous)
    Answer.objects.create(
        scan=scan, question=previous.questions.get(key="ambitie_doel_10_procent"), value="ja"
    )
    trimmed = (
        (QUESTIONNAIRE_DIR / "2025.toml")
        .read_text()
        .replace('key = "ambitie_doel_10_procent"', 'key = "ambitie_doel_anders"')
    )
    path = tmp_path / "2025.toml"
    path.write_text(trimmed)
    with pytest.raises(ValidationError):
        questionnaire_load(path)
    assert previous.questions.filter(key="ambitie_doel_10_procent").exists()


def test_an_edition_is_cloned_into_the_next_year_as_a_draft(editions):
    _, current = editions
    clone = edition_clone(source=current, year=2027)
    assert clone.status == Edition.Status.DRAFT
    assert clone.title == "CI Monitor 2027"
    assert sorted(clone.questions.values_list("key", flat=True)) == sorted(
        current.questions.values_list("key", flat=True)
    )
    assert clone.questions.get(key="spend_gww_circulair").not_more_than == "spend_gww_totaal"
    original = current.questions.filter(type="scale").first()
    copy = clone.questions.get(key=original.key)
    assert list(copy.options.values_list("key", "points")) == list(
        original.options.values_list("key", "points")
    )
    assert copy.section.edition == clone


def test_the_admin_clones_and_exports_questions(client, programme_admin, editions):
    client.force_login(programme_admin)
    _, current = editions
    client.post(
        reverse("admin:monitor_edition_changelist"),
        {"action": "clone_into_next_year", "_selected_action": [current.pk]},
    )
    assert Edition.objects.filter(year=2027).exists()
    response = client.post(
        reverse("admin:monitor_question_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"questionresource_{f}": "on" for f in ("edition", "key", "type", "text", "options")
            },
        },
    )
    assert response.status_code == 200
    assert b"spend_gww_totaal" in response.content


def test_a_questionnaire_whose_parts_do_not_fit_is_refused(tmp_path):
    broken = (
        (QUESTIONNAIRE_DIR / "2026.toml")
        .read_text()
        .replace('not_more_than = "spend_gww_totaal"', 'not_more_than = "bestaat_niet"')
    )
    path = tmp_path / "2026.toml"
    path.write_text(broken)
    with pytest.raises(ValidationError, match="not_more_than"):
        questionnaire_load(path)


@pytest.mark.parametrize("tags", ["gww", {"gww": 1}, [1, 2], None])
def test_a_question_refuses_tags_that_are_not_a_list_of_texts_with_a_message(edition, tags):
    question = edition.questions.get(key="coordinator")
    question.tags = tags
    with pytest.raises(ValidationError) as refused:
        question.clean()
    assert refused.value.message_dict == {
        "tags": ['Vul de kenmerken in als een lijst, bijvoorbeeld ["gww", "energie"].']
    }
