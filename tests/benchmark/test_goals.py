"""Improvement goals: set this year, checked against next year's score."""

from decimal import Decimal

import pytest
from django.urls import reverse

from benchmark.models import ImprovementGoal
from monitor.models import Edition
from tests.benchmark.test_results_page import submitted

pytestmark = pytest.mark.django_db


def goal_url(year=2026):
    return reverse("benchmark:goal_set", args=["gm0197", year])


def test_the_penvoerder_sets_a_goal_and_next_year_shows_whether_it_was_reached(
    client, alice, edition
):
    previous = Edition.objects.get(year=2025)
    submitted(previous, alice.organisation, 30)
    client.force_login(alice)
    client.post(goal_url(2025), {"dimension": "overall", "target": "40"})
    client.post(goal_url(2025), {"dimension": "tag:gww", "target": "35,5"})
    assert ImprovementGoal.objects.get(dimension="tag:gww").target == Decimal("35.5")
    submitted(edition, alice.organisation, 50)  # gww is half of overall: 25
    body = client.get(reverse("benchmark:results", args=["gm0197", 2026])).content.decode()
    assert "Totaal: doel 40,0, nu 50,0" in body
    assert "Grond-, Weg- en Waterbouw: doel 35,5, nu 25,0" in body
    assert body.count("niet gehaald") == 1 and body.count("gehaald</strong>") == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dimension": "overall", "target": "120"}, "Vul een score in van 0 tot en met 100."),
        ({"dimension": "overall", "target": "veel"}, "Vul een score in van 0 tot en met 100."),
        ({"dimension": "bestaat_niet", "target": "50"}, "Kies een van de getoonde thema’s."),
    ],
)
def test_a_bad_goal_is_refused_at_its_field(client, alice, edition, data, message):
    submitted(edition, alice.organisation, 30)
    client.force_login(alice)
    response = client.post(goal_url(), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImprovementGoal.objects.exists()


def test_a_contributor_cannot_set_goals(client, alice, bob, edition):
    submitted(edition, alice.organisation, 30)
    client.force_login(bob)
    assert client.post(goal_url(), {"dimension": "overall", "target": "40"}).status_code == 403
    assert (
        "Doel opslaan"
        not in client.get(reverse("benchmark:results", args=["gm0197", 2026])).content.decode()
    )
