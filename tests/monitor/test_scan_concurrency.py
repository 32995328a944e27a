"""Two people answering the same question at the same moment, on real PostgreSQL."""

import os
import threading

import pytest
from django.db import connection, connections

from monitor.models import Answer, Question
from monitor.services import scans


def require_postgresql():
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run this test on PostgreSQL")
    pytest.skip("SKIPPED LOUDLY: needs PostgreSQL (set DATABASE_URL)")


@pytest.mark.django_db(transaction=True)
def test_two_first_answers_at_once_make_one_answer_and_one_conflict(
    alice, bob, edition, municipality_a
):
    require_postgresql()
    from monitor.models import Scan, SectionAssignment

    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    scan = Scan.objects.create(organisation=municipality_a, edition=edition)
    question = Question.objects.get(edition=edition, key="fte_inkoop")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(user, value):
        try:
            barrier.wait(timeout=10)
            scans.answer_save(scan=scan, question=question, value=value, user=user, version=0)
            outcomes.append("saved")
        except scans.AnswerConflict:
            outcomes.append("conflict")
        except Exception as error:  # anything else is the bug this test looks for
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(u, v)) for u, v in ((alice, "2"), (bob, "3"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    answer = Answer.objects.get(scan=scan, question=question)
    assert answer.version == 1
