"""Filling in the scan: saving, refusing bad input field by field, conflicts, the deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from monitor.models import Answer, Scan, ScanChange, SectionAssignment
from tests.pages import fill_in

pytestmark = pytest.mark.django_db


def section_url(section="beleid", code="gm0197", year=2026):
    return reverse("monitor:scan_section", args=[code, year, section])


def autosave_url(question, code="gm0197", year=2026):
    return reverse("monitor:answer_autosave", args=[code, year, question])


def answers(scan):
    return {
        a.question.key: a.value for a in Answer.objects.filter(scan=scan).select_related("question")
    }


VOLUME_OK = {
    "spend_gww_totaal-value": "1.250.000",
    "spend_gww_circulair-value": "125000,50",
    "aandeel_hergebruik-value": "12,5",
    "fte_inkoop-value": "1,5",
}


def test_the_section_page_saves_every_answer_without_javascript(client, alice, scan_a):
    client.force_login(alice)
    response = fill_in(
        client,
        section_url(),
        {
            "ci_in_beleid-value": "deels",
            "instrumenten-value": ["emvi", "marktconsultatie"],
            "coordinator-value": "ja",
            "toelichting-value": "Kort",
        },
        follow=True,
    )
    assert "Uw antwoorden zijn opgeslagen." in response.content.decode()
    assert answers(scan_a) == {
        "ci_in_beleid": "deels",
        "instrumenten": ["emvi", "marktconsultatie"],
        "coordinator": "ja",
        "toelichting": "Kort",
    }


def test_dutch_numbers_are_understood(client, alice, scan_a):
    client.force_login(alice)
    fill_in(client, section_url("volume"), VOLUME_OK)
    assert answers(scan_a) == {
        "spend_gww_totaal": "1250000",
        "spend_gww_circulair": "125000.5",
        "aandeel_hergebruik": "12.5",
        "fte_inkoop": "1.5",
    }


def test_a_saved_number_is_shown_again_in_dutch(client, alice, scan_a):
    client.force_login(alice)
    fill_in(client, section_url("volume"), VOLUME_OK)
    body = client.get(section_url("volume")).content.decode()
    assert 'value="125000,5"' in body


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("fte_inkoop", "twee", "Vul een getal in, bijvoorbeeld 12 of 12,5."),
        ("spend_gww_totaal", "-5", "Een bedrag kan niet negatief zijn."),
        ("aandeel_hergebruik", "120", "Vul een percentage in van 0 tot en met 100."),
        ("aandeel_hergebruik", "-1", "Vul een percentage in van 0 tot en met 100."),
    ],
)
def test_bad_numbers_are_refused_at_their_field_and_nothing_else_is_lost(
    client, alice, scan_a, field, typed, message
):
    client.force_login(alice)
    data = {**VOLUME_OK, f"{field}-value": typed}
    response = fill_in(client, section_url("volume"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'value="{typed}"' in body  # what was typed is still there, to correct
    saved = answers(scan_a)
    assert field not in saved
    assert len(saved) == 3  # every other answer was saved


def test_circular_spend_above_total_spend_is_refused(client, alice, scan_a):
    client.force_login(alice)
    response = fill_in(
        client,
        section_url("volume"),
        {**VOLUME_OK, "spend_gww_totaal-value": "100000", "spend_gww_circulair-value": "250000"},
    )
    body = response.content.decode()
    assert "Dit bedrag kan niet meer zijn dan" in body
    assert "€ 100.000,00" in body
    assert answers(scan_a)["spend_gww_totaal"] == "100000"
    assert "spend_gww_circulair" not in answers(scan_a)


def test_lowering_the_total_below_the_circular_part_is_refused(client, alice, scan_a):
    client.force_login(alice)
    fill_in(client, section_url("volume"), VOLUME_OK)
    response = client.post(
        autosave_url("spend_gww_totaal"),
        {"spend_gww_totaal-value": "1000", "spend_gww_totaal-version": "1"},
    )
    assert response.status_code == 400
    assert "Dit totaal kan niet lager zijn dan" in response.content.decode()
    assert answers(scan_a)["spend_gww_totaal"] == "1250000"


def test_text_over_its_limit_is_refused_and_kept(client, alice, scan_a):
    client.force_login(alice)
    long_text = "x" * 60
    response = fill_in(
        client, section_url(), {"toelichting-value": long_text, "coordinator-value": "ja"}
    )
    body = response.content.decode()
    assert "Gebruik hoogstens 50 tekens; deze tekst heeft er 60." in body
    assert long_text in body
    assert answers(scan_a) == {"coordinator": "ja"}


def test_an_option_that_does_not_exist_is_refused(client, alice, scan_a):
    client.force_login(alice)
    response = fill_in(
        client, section_url(), {"ci_in_beleid-value": "altijd", "coordinator-value": "nee"}
    )
    assert "Kies een van de getoonde mogelijkheden." in response.content.decode()
    assert answers(scan_a) == {"coordinator": "nee"}


def test_autosave_saves_one_answer_and_answers_with_its_block(client, alice, scan_a):
    client.force_login(alice)
    response = client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": "0"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="q-coordinator"' in body
    assert 'data-state="saved"' in body
    assert "Opgeslagen om" in body
    assert answers(scan_a) == {"coordinator": "ja"}
    change = ScanChange.objects.get(scan=scan_a, question__key="coordinator")
    assert (change.actor, change.value) == (alice, "ja")


def test_clearing_an_answer_is_saved_and_recorded(client, alice, scan_a):
    client.force_login(alice)
    client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": "0"}
    )
    client.post(autosave_url("fte_inkoop"), {"fte_inkoop-value": "2", "fte_inkoop-version": "0"})
    client.post(autosave_url("fte_inkoop"), {"fte_inkoop-value": "", "fte_inkoop-version": "1"})
    assert answers(scan_a)["fte_inkoop"] is None
    assert ScanChange.objects.filter(action="cleared").count() == 1


def test_a_conflicting_edit_is_detected_and_shows_both_values(client, alice, bob, scan_a):
    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    client.force_login(alice)
    client.post(autosave_url("fte_inkoop"), {"fte_inkoop-value": "2", "fte_inkoop-version": "0"})
    # Bob loaded the page when the answer was at version 1 ("2"), and saves "3".
    client.force_login(bob)
    client.post(
        autosave_url("fte_inkoop"),
        {"fte_inkoop-value": "3", "fte_inkoop-version": "1", "fte_inkoop-original": '"2"'},
    )
    # Alice, still on her page at version 1, now saves "4": she is told, and sees both.
    client.force_login(alice)
    response = client.post(
        autosave_url("fte_inkoop"),
        {"fte_inkoop-value": "4", "fte_inkoop-version": "1", "fte_inkoop-original": '"2"'},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Een collega heeft dit antwoord gewijzigd terwijl u eraan werkte." in body
    assert "Bob Aalten" in body
    assert "3 fte" in body  # the colleague's value
    assert 'value="4"' in body  # her own value, still in the field
    assert answers(scan_a)["fte_inkoop"] == "3"
    # Saving again (the block now carries version 2) keeps her value.
    client.post(autosave_url("fte_inkoop"), {"fte_inkoop-value": "4", "fte_inkoop-version": "2"})
    assert answers(scan_a)["fte_inkoop"] == "4"


def test_an_untouched_field_on_an_old_page_does_not_overwrite_a_colleague(
    client, alice, bob, scan_a
):
    SectionAssignment.objects.create(contributor=bob, section_key="beleid")
    client.force_login(alice)
    client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": "0"}
    )
    client.force_login(bob)
    client.post(
        autosave_url("coordinator"),
        {"coordinator-value": "nee", "coordinator-version": "1", "coordinator-original": '"ja"'},
    )
    # Alice's old page still shows "ja" at version 1; she saves the whole section untouched.
    client.force_login(alice)
    response = fill_in(
        client,
        section_url(),
        {"coordinator-value": "ja", "coordinator-version": "1", "coordinator-original": '"ja"'},
        follow=True,
    )
    assert "Uw antwoorden zijn opgeslagen." in response.content.decode()
    assert answers(scan_a)["coordinator"] == "nee"


def test_saving_after_the_deadline_is_refused(client, alice, scan_a):
    scan_a.edition.deadline = timezone.now() - timedelta(minutes=1)
    scan_a.edition.save()
    client.force_login(alice)
    response = client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": "0"}
    )
    assert response.status_code == 403
    assert fill_in(client, section_url(), {"coordinator-value": "ja"}).status_code == 403
    assert answers(scan_a) == {}
    page = client.get(section_url()).content.decode()
    assert "De deadline is verstreken" in page
    assert "disabled" in page


def test_an_extension_keeps_the_scan_open_after_the_deadline(client, alice, scan_a):
    scan_a.edition.deadline = timezone.now() - timedelta(days=1)
    scan_a.edition.save()
    scan_a.extended_until = timezone.now() + timedelta(days=7)
    scan_a.save()
    client.force_login(alice)
    client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": "0"}
    )
    assert answers(scan_a) == {"coordinator": "ja"}


def test_a_contributor_answers_only_the_sections_handed_over(client, alice, bob, scan_a):
    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    client.force_login(bob)
    client.post(autosave_url("fte_inkoop"), {"fte_inkoop-value": "2", "fte_inkoop-version": "0"})
    refused = client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": "0"}
    )
    assert refused.status_code == 403
    assert answers(scan_a) == {"fte_inkoop": "2"}
    assert "Dit deel is niet aan u toegewezen" in client.get(section_url()).content.decode()


def test_taking_over_last_year_marks_answers_until_confirmed(client, alice, scan_a, edition):
    from monitor.models import Edition

    previous = Scan.objects.create(
        organisation=scan_a.organisation, edition=Edition.objects.get(year=2025), status="submitted"
    )
    for question in previous.edition.questions.filter(key__in=["ci_in_beleid", "fte_inkoop"]):
        Answer.objects.create(
            scan=previous, question=question, value="ja" if question.key == "ci_in_beleid" else "3"
        )
    client.force_login(alice)
    client.post(autosave_url("fte_inkoop"), {"fte_inkoop-value": "1", "fte_inkoop-version": "0"})
    response = client.post(reverse("monitor:scan_prefill", args=["gm0197", 2026]), follow=True)
    assert "1 antwoord overgenomen van vorig jaar." in response.content.decode()
    taken = Answer.objects.get(scan=scan_a, question__key="ci_in_beleid")
    assert taken.prefilled and taken.value == "ja"
    assert answers(scan_a)["fte_inkoop"] == "1"  # an answer given this year is not overwritten
    page = client.get(section_url()).content.decode()
    assert "Overgenomen van vorig jaar – nog niet bevestigd." in page
    client.post(reverse("monitor:section_confirm", args=["gm0197", 2026, "beleid"]))
    taken.refresh_from_db()
    assert not taken.prefilled


def test_another_municipality_cannot_read_or_write_the_scan(client, charlie, scan_a):
    client.force_login(charlie)
    assert client.get(section_url()).status_code == 404
    assert client.post(autosave_url("coordinator"), {"coordinator-value": "ja"}).status_code == 404
    assert answers(scan_a) == {}


def test_the_section_page_runs_a_fixed_number_of_queries(
    client, alice, scan_a, django_assert_max_num_queries
):
    client.force_login(alice)
    fill_in(client, section_url("volume"), VOLUME_OK)
    with django_assert_max_num_queries(20):
        client.get(section_url("volume"))


def test_in_english_the_messages_and_the_number_notation_are_english(client, alice, scan_a):
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    response = fill_in(
        client,
        section_url("volume"),
        {**VOLUME_OK, "fte_inkoop-value": "two", "spend_gww_totaal-value": "1,250,000"},
    )
    body = response.content.decode()
    assert "Enter a number, for example 12 or 12.5." in body
    assert answers(scan_a)["spend_gww_totaal"] == "1250000"


def test_a_question_missing_from_the_post_is_left_alone(client, alice, scan_a):
    client.force_login(alice)
    fill_in(client, section_url(), {"coordinator-value": "ja", "toelichting-value": "Kort"})
    client.post(section_url(), {"ci_in_beleid-value": "nee", "ci_in_beleid-version": "0"})
    assert answers(scan_a) == {"coordinator": "ja", "toelichting": "Kort", "ci_in_beleid": "nee"}


@pytest.mark.parametrize("version", ["7", "-1", "x", ""])
def test_a_tampered_version_gives_no_error_page(client, alice, scan_a, version):
    client.force_login(alice)
    response = client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": version}
    )
    assert response.status_code in (200, 400)


def test_a_number_typed_with_a_trailing_zero_is_the_same_answer(client, alice, scan_a):
    client.force_login(alice)
    fill_in(client, section_url("volume"), {"fte_inkoop-value": "1,50"})
    assert answers(scan_a)["fte_inkoop"] == "1.5"
    response = fill_in(client, section_url("volume"), {"fte_inkoop-value": "1,5"}, follow=True)
    assert "Uw antwoorden zijn opgeslagen." in response.content.decode()
    assert Answer.objects.get(scan=scan_a, question__key="fte_inkoop").version == 1


def test_more_than_two_decimals_are_refused(client, alice, scan_a):
    client.force_login(alice)
    response = fill_in(client, section_url("volume"), {"aandeel_hergebruik-value": "12,3456"})
    assert "Gebruik hoogstens twee decimalen." in response.content.decode()


def previous_answers(scan, values):
    from monitor.models import Edition

    previous = Scan.objects.create(
        organisation=scan.organisation, edition=Edition.objects.get(year=2025), status="submitted"
    )
    for question in previous.edition.questions.filter(key__in=values):
        Answer.objects.create(scan=previous, question=question, value=values[question.key])


def test_saving_a_section_without_javascript_does_not_confirm_answers_taken_over(
    client, alice, scan_a
):
    previous_answers(scan_a, {"coordinator": "nee", "ci_in_beleid": "ja"})
    client.force_login(alice)
    client.post(reverse("monitor:scan_prefill", args=["gm0197", 2026]))
    fill_in(
        client,
        section_url(),
        {"coordinator-value": "nee", "ci_in_beleid-value": "ja", "toelichting-value": "Nieuw"},
    )
    taken = Answer.objects.get(scan=scan_a, question__key="coordinator")
    assert taken.prefilled  # left as it was: still waiting for confirmation


def test_a_contributor_takes_over_only_the_own_sections(client, bob, scan_a):
    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    previous_answers(scan_a, {"coordinator": "ja", "fte_inkoop": "2"})
    client.force_login(bob)
    client.post(reverse("monitor:scan_prefill", args=["gm0197", 2026]))
    assert answers(scan_a) == {"fte_inkoop": "2"}


def test_taking_over_a_cleared_answer_moves_its_version_on(client, alice, scan_a):
    previous_answers(scan_a, {"coordinator": "nee"})
    client.force_login(alice)
    client.post(
        autosave_url("coordinator"), {"coordinator-value": "ja", "coordinator-version": "0"}
    )
    client.post(
        autosave_url("coordinator"),
        {"coordinator-value": "", "coordinator-version": "1", "coordinator-original": '"ja"'},
    )
    client.post(reverse("monitor:scan_prefill", args=["gm0197", 2026]))
    answer = Answer.objects.get(scan=scan_a, question__key="coordinator")
    assert (answer.value, answer.prefilled, answer.version) == ("nee", True, 3)


def test_a_remark_on_a_section_not_handed_over_is_refused(client, bob, scan_a):
    SectionAssignment.objects.create(contributor=bob, section_key="volume")
    client.force_login(bob)
    response = client.post(
        reverse("monitor:remark_add", args=["gm0197", 2026, "coordinator"]), {"text": "x"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("monitor:remark_add", args=["gm0197", 2026, "fte_inkoop"]), {"text": "y"}
        ).status_code
        == 302
    )


def test_the_evidence_help_text_follows_the_language_of_the_page(client, alice, scan_a, settings):
    """No text is fixed at import: a lazy text with a value put into it when the module was
    imported stays in the language the process started in."""
    settings.EVIDENCE_MAX_MB = 7
    client.force_login(alice)
    dutch = client.get(section_url()).content.decode()
    assert "PDF, Word, Excel, PowerPoint, OpenDocument, PNG of JPEG; hoogstens 7 MB." in dutch
    client.cookies["django_language"] = "en"
    english = client.get(section_url()).content.decode()
    assert "PDF, Word, Excel, PowerPoint, OpenDocument, PNG or JPEG; at most 7 MB." in english
    assert "hoogstens" not in english


def test_a_changed_question_shows_on_the_next_page_though_the_questionnaire_is_kept(
    client, alice, scan_a
):
    """Each process keeps its copy of the questionnaire (monitor/questionnaire.py) until the
    edition's questionnaire changes: saving a question (the admin, a new load) renews it."""
    client.force_login(alice)
    assert (
        "Is circulair inkopen opgenomen in het beleid?"
        in client.get(section_url()).content.decode()
    )
    question = scan_a.edition.questions.get(key="ci_in_beleid")
    question.text = "Staat circulair inkopen in uw beleid?"
    question.save()
    body = client.get(section_url()).content.decode()
    assert "Staat circulair inkopen in uw beleid?" in body
    assert "Is circulair inkopen opgenomen in het beleid?" not in body
