"""Scores, checked against numbers worked out by hand."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from benchmark.models import ScanScore
from benchmark.scoring import ScoredQuestion, scored_questions, scores, stage
from monitor.models import Answer, Scan
from tests.pages import fill_in

D = Decimal

# The worked example of the small test questionnaire (tests/factories.py):
#   ci_in_beleid  scale,  weight 2, "deels" = 1 of 2 points        -> 0.5
#   instrumenten  multiple, weight 1, ["emvi"] = 1 of 1+1 points     -> 0.5
#   coordinator   yes/no, weight 1, "ja" = 2 of 2 points             -> 1
#   aandeel_hergebruik percentage, weight 1, 25 with full at 50      -> 0.5
#   fte_inkoop    number, weight 1, 3 with full at 2 (capped)        -> 1
#   toelichting, spend_*: weight 0, not scored
EXAMPLE = {
    "ci_in_beleid": "deels",
    "instrumenten": ["emvi"],
    "coordinator": "ja",
    "aandeel_hergebruik": "25",
    "fte_inkoop": "3",
    "toelichting": "tekst",
    "spend_gww_totaal": "1000",
}


def example_points(edition):
    questions = edition.questions.prefetch_related("options")
    return {q.key: q.points_for(EXAMPLE.get(q.key)) for q in questions}


@pytest.mark.django_db
def test_the_worked_example_per_question_type(edition):
    result = scores(
        scored_questions(edition.questions.prefetch_related("options")), example_points(edition)
    )
    assert result == {
        "overall": D("66.7"),  # (2*0.5 + 0.5 + 1 + 0.5 + 1) / 6
        "level:strategisch": D("62.5"),  # (1 + 0.5 + 1) / 4
        "level:operationeel": D("75.0"),  # (0.5 + 1) / 2
        "tag:beleid_communicatie": D("70.0"),  # ci, instrumenten, coordinator, fte: 3.5 / 5
        "tag:hoogwaardig_hergebruik": D("50.0"),  # aandeel_hergebruik: 0.5 / 1
    }


def test_an_unanswered_question_counts_as_zero():
    questions = [
        ScoredQuestion("a", 1, "strategisch", ("gww",), D(4)),
        ScoredQuestion("b", 3, "strategisch", ("gww",), D(2)),
    ]
    assert scores(questions, {"a": D(4), "b": None}) == {
        "overall": D("25.0"),
        "level:strategisch": D("25.0"),
        "tag:gww": D("25.0"),
    }


def test_no_answers_score_zero_and_all_best_answers_score_hundred():
    questions = [ScoredQuestion("a", 2, "operationeel", ("energie",), D(3))]
    assert scores(questions, {})["overall"] == D("0.0")
    assert scores(questions, {"a": D(3)})["overall"] == D("100.0")


@pytest.mark.parametrize(
    ("score", "name"),
    [
        (D(0), "Orienting"),
        (D("19.9"), "Orienting"),
        (D(20), "Exploring"),
        (D(40), "Applying"),
        (D("59.9"), "Applying"),
        (D(60), "Embedding"),
        (D(80), "Leading"),
        (D(100), "Leading"),
    ],
)
def test_five_stages_name_the_score_bands(score, name):
    with translation.override("en"):
        assert stage(score) == name


def test_the_stages_have_dutch_names():
    assert str(stage(D(85))) == "Koploper"


@pytest.mark.django_db
def test_submitting_stores_the_scores(client, alice, scan_a, django_capture_on_commit_callbacks):
    from django.urls import reverse

    client.force_login(alice)
    fill_in(
        client,
        reverse("monitor:scan_section", args=["gm0197", 2026, "beleid"]),
        {"ci_in_beleid-value": "deels", "instrumenten-value": ["emvi"], "coordinator-value": "ja"},
    )
    fill_in(
        client,
        reverse("monitor:scan_section", args=["gm0197", 2026, "volume"]),
        {
            "spend_gww_totaal-value": "1000",
            "spend_gww_circulair-value": "100",
            "aandeel_hergebruik-value": "25",
            "fte_inkoop-value": "3",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitor:scan_review", args=["gm0197", 2026]))
    stored = dict(ScanScore.objects.filter(scan=scan_a).values_list("dimension", "score"))
    assert stored["overall"] == D("66.7")
    assert stored["level:operationeel"] == D("75.0")


@pytest.mark.django_db
def test_the_command_recomputes_an_edition(edition, municipality_a, municipality_b):
    for organisation in (municipality_a, municipality_b):
        scan = Scan.objects.create(
            organisation=organisation, edition=edition, status=Scan.Status.SUBMITTED
        )
        points = example_points(edition)
        Answer.objects.bulk_create(
            Answer(scan=scan, question=q, value=EXAMPLE.get(q.key), points=points[q.key])
            for q in edition.questions.all()
        )
    Scan.objects.create(
        organisation=municipality_a.__class__.objects.create(
            cbs_code="GM0001", name="X", province="Gelderland"
        ),
        edition=edition,
    )
    call_command("recompute_scores", "2026", verbosity=0)
    assert ScanScore.objects.filter(dimension="overall").count() == 2  # the open scan has none
    assert set(ScanScore.objects.filter(dimension="overall").values_list("score", flat=True)) == {
        D("66.7")
    }


def test_the_weakest_three_are_chosen_lowest_first_with_ties_in_dimension_order():
    from benchmark.advice import weakest

    scores_by_key = {
        "overall": D(50),
        "level:strategisch": D(1),
        "tag:beleid_communicatie": D(40),
        "tag:gww": D(10),
        "tag:energie": D(10),
        "tag:gezonde_mens": D(5),
        "tag:ambitie_borging": D(90),
    }
    assert weakest(scores_by_key) == ["gezonde_mens", "gww", "energie"]


def test_advice_comes_from_the_questions_with_most_left_to_gain_and_names_the_masterclass():
    from types import SimpleNamespace

    from benchmark.advice import MASTERCLASS_FOR, advice_for

    questions = [
        SimpleNamespace(key="a", weight=2, tags=["gww"], advice="Doe A"),
        SimpleNamespace(key="b", weight=1, tags=["gww"], advice="Doe B"),
        SimpleNamespace(key="c", weight=3, tags=["gww"], advice=""),
        SimpleNamespace(key="d", weight=3, tags=["energie"], advice="Doe D"),
    ]
    chosen = advice_for("gww", questions, {"a": D("0.5"), "b": D(0)})
    assert [q.key for q in chosen] == ["a", "b"]  # a loses 1.0 = b's 1.0: by key; c has no advice
    assert advice_for("gww", questions, {"a": D(1), "b": D(1)}) == []
    assert (MASTERCLASS_FOR["beleid_communicatie"], MASTERCLASS_FOR["integratie_samenwerking"]) == (
        2,
        4,
    )
    assert (MASTERCLASS_FOR["gww"], MASTERCLASS_FOR["kringlopen_contracten"]) == (3, 1)


@pytest.mark.django_db
def test_single_choice_earns_its_option_and_text_and_amounts_earn_nothing(edition):
    from monitor.models import Option, Question

    single = Question.objects.create(
        edition=edition,
        section=edition.sections.first(),
        key="aanpak",
        type="single",
        text="Aanpak?",
        weight=1,
        level="strategisch",
        tags=["ambitie_borging"],
    )
    for position, (key, points) in enumerate([("geen", 0), ("plan", 2), ("programma", 3)]):
        Option.objects.create(question=single, key=key, label=key, points=points, position=position)
    assert single.points_for("plan") == D(2)
    questions = scored_questions(edition.questions.prefetch_related("options").filter(key="aanpak"))
    assert scores(questions, {"aanpak": D(2)})["tag:ambitie_borging"] == D("66.7")  # 2 of 3
    text = edition.questions.get(key="toelichting")
    amount = edition.questions.get(key="spend_gww_totaal")
    assert text.points_for("lang verhaal") is None
    assert amount.points_for("1000") is None
