"""The service desk's pages: logins issued, handed over and deactivated; deadlines, extensions,
reminders and announcements; the status overview — and never an answer."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cimolt.celery import app
from monitor.models import (
    Answer,
    AuditEvent,
    Edition,
    Remark,
    Scan,
    ScanChange,
    User,
)
from monitor.services.scans import answer_save
from servicedesk.models import DeadlineReminder
from servicedesk.services import deadline_reminders_send
from tests.factories import OrganisationFactory, UserFactory
from tests.monitor.test_roles import link_from, set_password_through

pytestmark = pytest.mark.django_db


def desk(name, *args):
    return reverse(f"servicedesk:{name}", args=args)


# --- Logins --------------------------------------------------------------------------------


def test_a_new_penvoerder_gets_a_link_that_works_once_and_expires(
    client, servicedesk, alice, edition, settings, django_capture_on_commit_callbacks
):
    client.force_login(servicedesk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            desk("account_issue", "gm0197"),
            {"full_name": "Nina Nieuw", "email": "Nina@Aalten.test", "role": "penvoerder"},
        )
    assert response.status_code == 302
    new = User.objects.get(email="nina@aalten.test")
    alice.refresh_from_db()
    assert (new.role, alice.role) == (User.Role.PENVOERDER, User.Role.CONTRIBUTOR)
    (message,) = mail.outbox
    link = link_from(message)
    visitor = Client()
    set_password_through(visitor, link, "Een-lang-nieuw-wachtwoord-2026")
    assert Client().login(email="nina@aalten.test", password="Een-lang-nieuw-wachtwoord-2026")
    again = Client().get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    assert "Deze link is verlopen of al gebruikt." in again.content.decode()
    actions = set(AuditEvent.objects.filter(object_id=str(new.pk)).values_list("action", flat=True))
    assert {"account_issued", "role_changed", "password_link_sent", "password_reset"} <= actions

    # A link sent again from the page works until PASSWORD_RESET_TIMEOUT, then no more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(desk("password_link", "gm0197", new.pk))
    settings.PASSWORD_RESET_TIMEOUT = -1
    expired = set_password_through(Client(), link_from(mail.outbox[-1]), "Nog-een-wachtwoord-2026")
    assert "Deze link is verlopen of al gebruikt." in expired.content.decode()


def issue_with_taken_address(client, email):
    """The desk's page in English after issuing a login for ``email`` at Aalten."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        desk("account_issue", "gm0197"),
        {"full_name": "Nina Nieuw", "email": email.upper(), "role": "penvoerder"},
    )
    assert response.status_code == 400
    return response.content.decode()


def test_a_taken_address_is_refused_at_the_field_and_keeps_the_name(client, servicedesk, alice):
    client.force_login(servicedesk)
    page = issue_with_taken_address(client, alice.email)
    assert "This address already has an account at this municipality" in page
    assert "use “Make penvoerder” there" in page
    assert "Ask the service desk" not in page
    assert 'value="Nina Nieuw"' in page
    alice.refresh_from_db()
    assert alice.role == User.Role.PENVOERDER


def test_a_taken_address_of_another_municipality_or_of_staff_says_whose_it_is(
    client, servicedesk, alice, charlie
):
    client.force_login(servicedesk)
    page = issue_with_taken_address(client, charlie.email)
    assert "This address already has an account, of Apeldoorn." in page
    assert "Ask the service desk" not in page
    page = issue_with_taken_address(client, servicedesk.email)
    assert "This address already has an account, of the programme&#x27;s staff." in page
    assert not User.objects.filter(full_name="Nina Nieuw").exists()
    charlie.refresh_from_db()
    assert charlie.organisation.name == "Apeldoorn"


def test_a_handover_keeps_the_scan_and_its_history(client, servicedesk, alice, bob, scan_a):
    question = scan_a.edition.questions.get(key="toelichting")
    Answer.objects.create(scan=scan_a, question=question, value="ons antwoord", updated_by=alice)
    ScanChange.objects.create(scan=scan_a, question=question, action="answered", actor=alice)
    client.force_login(servicedesk)
    assert client.post(desk("account_handover", "gm0197", bob.pk)).status_code == 302
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (bob.role, alice.role) == (User.Role.PENVOERDER, User.Role.CONTRIBUTOR)
    assert alice.is_active
    scan = Scan.objects.get(pk=scan_a.pk)
    assert scan.answers.get().value == "ons antwoord"
    assert scan.changes.get().actor == alice
    client.force_login(bob)
    history = client.get(reverse("monitor:scan_history", args=["gm0197", 2026])).content.decode()
    assert "Alice Aalten" in history


def test_the_penvoerder_cannot_be_deactivated_from_the_page(client, servicedesk, alice):
    client.force_login(servicedesk)
    response = client.post(desk("account_deactivate", "gm0197", alice.pk), follow=True)
    assert "Maak eerst iemand anders penvoerder" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


def test_a_deactivated_account_is_refused_as_penvoerder_with_the_services_message(
    client, servicedesk, alice, bob
):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    client.force_login(servicedesk)
    response = client.post(desk("account_handover", "gm0197", bob.pk), follow=True)
    assert response.status_code == 200
    assert "Een gedeactiveerd account kan geen penvoerder worden." in response.content.decode()
    assert User.objects.get(pk=bob.pk).role == User.Role.CONTRIBUTOR
    assert User.objects.get(pk=alice.pk).role == User.Role.PENVOERDER


def test_a_contributor_is_deactivated_with_an_audit_entry(client, servicedesk, bob):
    client.force_login(servicedesk)
    client.post(desk("account_deactivate", "gm0197", bob.pk))
    bob.refresh_from_db()
    assert not bob.is_active
    assert AuditEvent.objects.filter(action="account_deactivated", actor=servicedesk).exists()


def test_someone_of_another_municipality_is_not_found(client, servicedesk, charlie):
    client.force_login(servicedesk)
    assert client.post(desk("account_handover", "gm0197", charlie.pk)).status_code == 404


def test_the_penvoerder_reaches_none_of_the_service_desks_pages(client, alice, edition):
    client.force_login(alice)
    for url in (
        desk("status", 2026),
        desk("municipality", "gm0197"),
        desk("deadline", 2026),
        desk("announcement"),
        desk("status_export", 2026, "csv"),
    ):
        assert client.get(url).status_code == 404, url


# --- Deadlines, extensions, reminders -------------------------------------------------------


def test_the_deadline_and_reminder_days_are_saved_and_audited(client, servicedesk, edition):
    client.force_login(servicedesk)
    day = (timezone.localdate() + timedelta(days=40)).isoformat()
    response = client.post(
        desk("deadline", 2026), {"day": day, "time": "17:00", "reminder_days": "3, 14;7"}
    )
    assert response.status_code == 302
    edition.refresh_from_db()
    assert timezone.localtime(edition.deadline).strftime("%Y-%m-%d %H:%M") == f"{day} 17:00"
    assert edition.reminder_days == [14, 7, 3]
    assert AuditEvent.objects.get(action="deadline_changed").actor == servicedesk


def test_a_bad_reminder_value_is_refused_at_the_field_and_keeps_the_date(
    client, servicedesk, edition
):
    client.force_login(servicedesk)
    day = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(
        desk("deadline", 2026), {"day": day, "time": "17:00", "reminder_days": "veertien"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vul hele aantallen dagen in" in page
    assert f'value="{day}"' in page


def test_an_extension_lets_one_municipality_work_past_the_deadline(
    client, servicedesk, alice, edition
):
    edition.deadline = timezone.now() - timedelta(hours=1)
    edition.save()
    client.force_login(servicedesk)
    until = (timezone.localdate() + timedelta(days=7)).isoformat()
    data = {"extension2026-day": until, "extension2026-time": "12:00"}
    assert client.post(desk("extension", "gm0197", 2026), data).status_code == 302
    scan = Scan.objects.get(organisation=alice.organisation, edition=edition)
    assert scan.is_editable()
    assert AuditEvent.objects.get(action="extension_granted").actor == servicedesk


def test_an_extension_before_the_deadline_is_refused(client, servicedesk, alice, edition):
    client.force_login(servicedesk)
    day = timezone.localdate(edition.deadline - timedelta(days=1)).isoformat()
    data = {"extension2026-day": day, "extension2026-time": "12:00"}
    response = client.post(desk("extension", "gm0197", 2026), data)
    assert response.status_code == 400
    assert "Uitstel loopt tot na de deadline" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "far"])
def test_an_extension_not_in_the_next_two_years_is_refused_and_every_page_keeps_working(
    client, servicedesk, alice, edition, day
):
    edition.deadline = None  # nothing else to compare the extension with
    edition.save()
    if day == "far":
        day = (timezone.localdate() + timedelta(days=2 * 366)).isoformat()
    client.force_login(servicedesk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"extension2026-day": day, "extension2026-time": "00:00"}
    response = client.post(desk("extension", "gm0197", 2026), data)
    assert response.status_code == 400
    assert response.context["extensions"][0]["form"].errors["day"]
    page = response.content.decode()
    assert "Choose a moment in the future." in page or "at most two years from today" in page
    assert not Scan.objects.filter(extended_until__isnull=False).exists()
    for url in (
        desk("municipality", "gm0197"),
        desk("status", 2026),
        desk("status_export", 2026, "csv"),
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(alice)
    assert client.get(reverse("monitor:scan_overview", args=["gm0197", 2026])).status_code == 200


def test_a_deadline_more_than_two_years_ahead_is_refused_at_its_field(client, servicedesk, edition):
    before = edition.deadline
    client.force_login(servicedesk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for day in ("9999-12-31", (timezone.localdate() + timedelta(days=2 * 366)).isoformat()):
        response = client.post(
            desk("deadline", 2026), {"day": day, "time": "17:00", "reminder_days": "3"}
        )
        assert response.status_code == 400
        assert "Choose a date at most two years from today." in response.content.decode()
    response = client.post(
        desk("deadline", 2026), {"day": "0001-01-01", "time": "00:00", "reminder_days": "3"}
    )
    assert response.status_code == 400
    assert "Choose a moment in the future." in response.content.decode()
    edition.refresh_from_db()
    assert edition.deadline == before


@pytest.fixture
def three_municipalities(edition, alice, charlie):
    """Aalten has submitted, Apeldoorn is in progress, Arnhem has not started."""
    arnhem = OrganisationFactory(cbs_code="GM0202", name="Arnhem")
    arnold = UserFactory(email="arnold@arnhem.test", role="penvoerder", organisation=arnhem)
    Scan.objects.create(organisation=alice.organisation, edition=edition, status="submitted")
    Scan.objects.create(organisation=charlie.organisation, edition=edition)
    return alice, charlie, arnold


def run_beat_task(name):
    """Run the task that the beat schedule runs under ``name``, as the worker would."""
    return app.tasks[settings.CELERY_BEAT_SCHEDULE[name]["task"]].delay().get()


def deadline_in(edition, days: int) -> None:
    """Move the deadline to 23:59 on the day ``days`` from today."""
    end_of_today = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)
    edition.deadline = end_of_today + timedelta(days=days)
    edition.save()


def test_reminders_reach_exactly_the_penvoerders_who_have_not_submitted(
    edition, three_municipalities
):
    alice, charlie, arnold = three_municipalities
    edition.reminder_days = [14, 3]
    deadline_in(edition, 14)

    assert run_beat_task("deadline-reminders") == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([charlie.email, arnold.email])
    assert "nog niet ingediend" in mail.outbox[0].body

    # The same day again sends nothing.
    assert run_beat_task("deadline-reminders") == 0
    # Eleven days later, three days before the deadline, the second reminder goes out.
    assert deadline_reminders_send(now=timezone.now() + timedelta(days=11)) == 2
    assert DeadlineReminder.objects.count() == 4
    assert alice.email not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 4


def test_no_reminder_before_the_first_reminder_day(edition, three_municipalities):
    edition.reminder_days = [14, 3]
    deadline_in(edition, 15)
    assert run_beat_task("deadline-reminders") == 0
    assert not mail.outbox


def test_a_missed_reminder_day_is_made_up_with_one_mail(edition, three_municipalities):
    edition.reminder_days = [14, 3]
    deadline_in(edition, 2)
    assert run_beat_task("deadline-reminders") == 2
    assert run_beat_task("deadline-reminders") == 0
    assert len(mail.outbox) == 2


def test_an_extension_moves_the_reminders(edition, three_municipalities):
    _alice, charlie, arnold = three_municipalities
    edition.reminder_days = [3]
    deadline_in(edition, 2)
    scan = Scan.objects.get(organisation=charlie.organisation)
    scan.extended_until = edition.deadline + timedelta(days=20)
    scan.save()
    assert run_beat_task("deadline-reminders") == 1
    assert [m.to[0] for m in mail.outbox] == [arnold.email]


def test_a_deadline_moved_after_the_reminders_gets_reminders_of_its_own(
    edition, three_municipalities
):
    _alice, charlie, arnold = three_municipalities
    edition.reminder_days = [3]
    deadline_in(edition, 2)
    assert run_beat_task("deadline-reminders") == 2
    # The desk postpones the deadline by three weeks, and gives Apeldoorn a week more still.
    edition.deadline += timedelta(days=21)
    edition.save()
    scan = Scan.objects.get(organisation=charlie.organisation)
    scan.extended_until = edition.deadline + timedelta(days=7)
    scan.save()
    mail.outbox.clear()
    assert run_beat_task("deadline-reminders") == 0  # three weeks to go: nothing yet
    assert deadline_reminders_send(now=timezone.now() + timedelta(days=21)) == 1
    assert [m.to[0] for m in mail.outbox] == [arnold.email]
    assert deadline_reminders_send(now=timezone.now() + timedelta(days=21)) == 0
    assert deadline_reminders_send(now=timezone.now() + timedelta(days=28)) == 1
    assert [m.to[0] for m in mail.outbox] == [arnold.email, charlie.email]


def test_a_deadline_moved_within_its_day_sends_no_reminder_again(edition, three_municipalities):
    edition.reminder_days = [3]
    deadline_in(edition, 2)  # 23:59
    assert run_beat_task("deadline-reminders") == 2
    edition.deadline = edition.deadline.replace(hour=17, minute=0)
    edition.save()
    assert run_beat_task("deadline-reminders") == 0
    assert len(mail.outbox) == 2


def test_an_announcement_reaches_every_active_penvoerder_once(
    client, servicedesk, alice, bob, charlie, django_capture_on_commit_callbacks
):
    client.force_login(servicedesk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            desk("announcement"),
            {"subject": "Terugkoppelmoment", "body": "Op 3 maart bespreken we…"},
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, charlie.email])
    assert all("Op 3 maart bespreken we" in m.body for m in mail.outbox)
    from servicedesk.models import Announcement
    from servicedesk.tasks import announcement_send

    announcement = Announcement.objects.get()
    assert announcement.sent_at is not None
    assert announcement_send(announcement.pk) == 0
    assert len(mail.outbox) == 2


def test_an_announcement_without_subject_keeps_the_message(client, servicedesk):
    client.force_login(servicedesk)
    response = client.post(desk("announcement"), {"subject": "", "body": "Mijn bericht"})
    assert response.status_code == 400
    assert "Mijn bericht" in response.content.decode()
    assert not mail.outbox


# --- The status overview --------------------------------------------------------------------

SECRET_TEXT = "Ons geheime circulaire plan"
SECRET_AMOUNT = "987654321"


@pytest.fixture
def answered(edition, three_municipalities):
    # The three scans are in the database; each gets the same answers.
    for scan in Scan.objects.all():
        Answer.objects.create(
            scan=scan,
            question=edition.questions.get(key="toelichting"),
            value=SECRET_TEXT,
        )
        Answer.objects.create(
            scan=scan, question=edition.questions.get(key="spend_gww_totaal"), value=SECRET_AMOUNT
        )
        Answer.objects.create(
            scan=scan, question=edition.questions.get(key="ci_in_beleid"), value="deels"
        )
        Remark.objects.create(
            scan=scan, question=edition.questions.get(key="toelichting"), text=SECRET_TEXT
        )
    return three_municipalities


def answer_traces(text: str) -> list[str]:
    """What of the answers shows in ``text``: the values as stored ("deels") and as shown."""
    traces = (SECRET_TEXT, SECRET_AMOUNT, "987.654.321", "987,654,321", "deels", "Deels")
    return [s for s in traces if s in text]


def test_the_status_overview_shows_how_far_each_is_and_no_answer(client, servicedesk, answered):
    client.force_login(servicedesk)
    page = client.get(desk("status", 2026)).content.decode()
    assert "Aalten" in page and "Apeldoorn" in page and "Arnhem" in page
    assert "niet begonnen" in page
    assert "bezig, 29%" in page  # 2 of the 7 required questions
    assert "ingediend op" in page
    assert answer_traces(page) == []


def test_the_status_exports_hold_no_answer(client, servicedesk, answered):
    client.force_login(servicedesk)
    text = client.get(desk("status_export", 2026, "csv")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Gemeente", "CBS-code", "Regio"]
    assert {row[0] for row in rows[1:]} == {"Aalten", "Apeldoorn", "Arnhem"}
    assert answer_traces(text) == []
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(desk("status_export", 2026, "xlsx")).content)
    )
    cells = " ".join(str(c.value) for row in workbook.active.iter_rows() for c in row)
    assert answer_traces(cells) == []


def test_the_service_desks_municipality_page_holds_no_answer(client, servicedesk, answered):
    client.force_login(servicedesk)
    page = client.get(desk("municipality", "gm0197")).content.decode()
    assert "Alice Aalten" in page
    assert answer_traces(page) == []


def test_the_status_overview_filters_and_sorts(client, servicedesk, answered):
    client.force_login(servicedesk)
    page = client.get(desk("status", 2026), {"state": "in_progress"}).content.decode()
    assert "Apeldoorn" in page and "Arnhem</a>" not in page
    page = client.get(desk("status", 2026), {"sort": "progress"}).content.decode()
    assert page.index("Arnhem</a>") < page.index("Apeldoorn</a>") < page.index("Aalten</a>")
    page = client.get(desk("status", 2026), {"state": "nonsense"}).content.decode()
    assert "Arnhem</a>" in page


def exported(client, **filters) -> dict[str, dict]:
    """The status export in English, per municipality."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(desk("status_export", 2026, "csv"), filters)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row["Municipality"]: row for row in rows}


def test_the_desks_extension_does_not_start_the_scan_nor_count_as_its_activity(
    client, servicedesk, alice, edition
):
    client.force_login(servicedesk)
    until = (timezone.localdate() + timedelta(days=40)).isoformat()
    data = {"extension2026-day": until, "extension2026-time": "12:00"}
    assert client.post(desk("extension", "gm0197", 2026), data).status_code == 302
    scan = Scan.objects.get(organisation=alice.organisation)  # made by the extension
    row = exported(client)["Aalten"]
    assert (row["Status"], row["Progress (%)"], row["Last activity"]) == ("not started", "0", "")
    assert "niet begonnen" in client.get(desk("status", 2026)).content.decode()

    answer_save(
        scan=scan,
        question=edition.questions.get(key="coordinator"),
        value="ja",
        user=alice,
        version=None,
    )
    answered_at = timezone.localtime(scan.changes.get().at)
    row = exported(client)["Aalten"]
    assert (row["Status"], row["Last activity"]) == ("in progress", f"{answered_at:%Y-%m-%d %H:%M}")

    # A reopening by the desk is not the municipality's activity either.
    Scan.objects.filter(pk=scan.pk).update(status="submitted", submitted_at=timezone.now())
    client.post(reverse("monitor:scan_reopen", args=["gm0197", 2026]))
    assert scan.changes.filter(action="reopened", actor=servicedesk).exists()
    assert exported(client)["Aalten"]["Last activity"] == f"{answered_at:%Y-%m-%d %H:%M}"


def test_sorting_by_last_activity_puts_those_without_any_last(
    client, servicedesk, three_municipalities
):
    alice, charlie, _arnold = three_municipalities
    now = timezone.now()
    for user, hours_ago in ((alice, 2), (charlie, 1)):
        scan = Scan.objects.get(organisation=user.organisation)
        ScanChange.objects.create(
            scan=scan, action="answered", actor=user, at=now - timedelta(hours=hours_ago)
        )
    client.force_login(servicedesk)
    page = client.get(desk("status", 2026), {"sort": "activity"}).content.decode()
    assert page.index("Apeldoorn</a>") < page.index("Aalten</a>") < page.index("Arnhem</a>")
    assert list(exported(client, sort="activity")) == ["Apeldoorn", "Aalten", "Arnhem"]


def test_a_bad_filter_value_is_ignored_and_the_other_filters_still_apply(
    client, servicedesk, answered
):
    client.force_login(servicedesk)
    page = client.get(desk("status", 2026), {"state": "submitted", "sort": "bogus"})
    page = page.content.decode()
    assert "Aalten</a>" in page and "Apeldoorn</a>" not in page and "Arnhem</a>" not in page
    assert list(exported(client, state="submitted", sort="bogus")) == ["Aalten"]
    chosen = exported(client, region="Cleantech Regio", state="bogus", sort="name")
    assert list(chosen) == ["Apeldoorn"]


def test_the_counts_are_the_editions_whatever_the_filter_shows(client, servicedesk, answered):
    Scan.objects.filter(organisation__name="Arnhem").delete()
    client.force_login(servicedesk)
    for filters in ({}, {"state": "submitted"}, {"region": "Cleantech Regio"}):
        page = client.get(desk("status", 2026), filters).content.decode()
        assert "Niet begonnen: 1. Bezig: 1. Ingediend: 1." in page, filters


def test_the_status_overview_asks_the_same_number_of_queries_for_3_and_30_municipalities(
    client, servicedesk, answered, edition
):
    from django.db import connection

    client.force_login(servicedesk)
    # The first page after logging in also refreshes the session (SessionIdleMiddleware): a
    # write of the login's, not of the overview's, so it is made before counting.
    client.get(desk("status", 2026))
    counts = []
    for extra in (0, 27):
        for _ in range(extra):
            organisation = OrganisationFactory()
            UserFactory(role="penvoerder", organisation=organisation)
            Scan.objects.create(organisation=organisation, edition=edition)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(desk("status", 2026)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_reopening_from_the_status_overview_returns_there(client, servicedesk, answered):
    client.force_login(servicedesk)
    response = client.post(
        reverse("monitor:scan_reopen", args=["gm0197", 2026]), {"next": "status"}
    )
    assert response["Location"] == desk("status", 2026)
    assert Scan.objects.get(organisation__cbs_code="GM0197").status == Scan.Status.OPEN
    assert AuditEvent.objects.filter(action="scan_reopened", actor=servicedesk).exists()


def test_only_an_open_edition_has_a_deadline_to_set(client, servicedesk, edition):
    client.force_login(servicedesk)
    published = Edition.objects.get(year=2025)
    day = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(
        desk("deadline", published.year), {"day": day, "time": "17:00", "reminder_days": "3"}
    )
    assert response.status_code == 400
    assert "Alleen de deadline van een geopende editie" in response.content.decode()


def test_no_password_hash_or_reset_key_is_in_the_desks_pages(
    client, servicedesk, alice, edition, django_capture_on_commit_callbacks
):
    client.force_login(servicedesk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(desk("password_link", "gm0197", alice.pk), follow=True)
    key = link_from(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[1]  # "<uid>-<token>"
    token = key.split("-", 1)[1]
    alice.refresh_from_db()
    secrets = [alice.password, alice.password.rsplit("$", 1)[-1], key, token]
    assert all(len(secret) >= 8 for secret in secrets)
    pages = [response.content.decode()]
    for url in (desk("municipality", "gm0197"), desk("status", 2026)):
        pages.append(client.get(url).content.decode())
    pages.append(client.get(desk("status_export", 2026, "csv")).content.decode("utf-8-sig"))
    assert [secret for secret in secrets if any(secret in page for page in pages)] == []


def test_an_announcement_interrupted_half_way_goes_only_to_the_rest(alice, charlie):
    from servicedesk.models import Announcement
    from servicedesk.services import announcement_deliver

    announcement = Announcement.objects.create(
        subject="Planning", body="De deadline schuift op.", delivered_to=[alice.email]
    )
    assert announcement_deliver(announcement=announcement) == 1
    assert [m.to for m in mail.outbox] == [[charlie.email]]
    announcement.refresh_from_db()
    assert sorted(announcement.delivered_to) == sorted([alice.email, charlie.email])
