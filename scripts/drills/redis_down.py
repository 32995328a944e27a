"""Drill: Redis goes away while people work.

Redis (broker and cache) is killed. The penvoerder of Aalten logs in again, answers every
question of the 2026 scan, submits it, invites two colleagues and registers one for a
masterclass (three mails) and asks for the PDF report; the organiser logs in (with the second
factor) and has the reports of 2025 made for every municipality. Every page must answer and
every task must wait in PendingTask. Redis comes back empty (it kept nothing on disk);
`manage.py outbox_relay` sends what waited and the worker that stayed up runs it. Every mail
must arrive exactly once, every report asked for be made, every saved answer be in the
database.
"""

import sys
import time

import requests
from drillkit import (
    Browser,
    Drill,
    ScanSession,
    invite_colleague,
    register_for_masterclass,
    request_report,
    wait_for,
)

CODE, YEAR = "gm0197", 2026  # Aalten: its 2026 scan is in progress in the demo
PENVOERDER = "penvoerder.gm0197@demo.test"
ORGANISER = "organiser@demo.test"
BULK_YEAR = 2025  # the organiser has every submitted scan's report of this edition made
OUTAGE_TASKS = [
    "benchmark.tasks.report_generate",
    "masterclasses.tasks.registration_confirmation_send",
    "monitor.tasks.password_link_send",
    "monitor.tasks.password_link_send",
]


def failed_requests(*browsers: Browser) -> int:
    """5xx answers and requests that got no answer at all."""
    return sum(
        count
        for browser in browsers
        for status, count in browser.statuses.items()
        if not status.isdigit() or status.startswith("5")
    )


def main() -> None:
    with Drill("redis_down", "Redis away while the scan is filled in and submitted") as drill:
        drill.postgres()
        redis = drill.start_redis()
        worker = drill.worker("w1", wait=False)
        base = drill.gunicorn()
        drill.worker_ready(worker)
        drill.check("no task waiting at the start", drill.pending_tasks() == [])

        # Redis up: the penvoerder starts and invites a colleague; the mail goes out at once.
        first = Browser(base)
        first.login(PENVOERDER)
        scan = ScanSession(first, CODE, YEAR)
        sections = scan.sections()
        answered = scan.fill(1, sections=sections[:1])
        drill.say(f"Redis up: {answered} answers saved in section {sections[0]}")
        response = invite_colleague(first, CODE, "collega0@aalten.example")
        drill.check("invitation with Redis up", response.status_code == 302)
        wait_for("the first mail", lambda: len(drill.mails()) == 1, 30)

        # Redis away.
        redis.stop()
        drill.say("Redis killed (SIGKILL): broker and cache are gone")
        second = Browser(base)
        second.login(PENVOERDER)  # the login's rate limits live in the cache
        drill.check("a new login works with Redis away", True)
        scan.browser = second
        answered = scan.fill(1, sections=sections[1:]) + scan.fill(2, sections=sections[:1])
        drill.say(f"Redis away: {answered} answers saved ({scan.refused} refused by a rule first)")
        response = scan.submit()
        drill.check("scan submitted with Redis away", response.status_code == 302)
        results = second.get(f"/benchmark/{CODE}/{YEAR}/")
        drill.check("results page with Redis away", results.status_code == 200)
        started = [
            invite_colleague(second, CODE, "collega1@aalten.example"),
            invite_colleague(second, CODE, "collega2@aalten.example"),
            register_for_masterclass(second, CODE, 1, "deelnemer@aalten.example"),
            request_report(second, CODE, YEAR),
        ]
        seconds = sorted(r.elapsed.total_seconds() for r in started)
        drill.check(
            "two invitations, a masterclass registration and a report asked for, Redis away",
            [r.status_code for r in started] == [302, 302, 302, 302],
            f"HTTP {[r.status_code for r in started]}, {seconds[0]:.1f}-{seconds[-1]:.1f} s each",
        )
        page = second.get(f"/benchmark/{CODE}/{YEAR}/report/")
        drill.check(
            "the report page says it is being made",
            page.status_code == 200 and "data-poll" in page.text,
        )
        errors = failed_requests(first, second)
        drill.check("no request of the penvoerder failed", errors == 0, f"{errors} failed")
        waiting = sorted(drill.pending_tasks())
        drill.check(
            "every task of the penvoerder waits in PendingTask",
            waiting == OUTAGE_TASKS,
            f"{len(waiting)} waiting: {', '.join(waiting)}",
        )

        # The organiser has all reports of an edition made: one task per submitted scan.
        organiser = Browser(base)
        organiser.login_staff(drill, ORGANISER)
        began = time.monotonic()
        try:
            bulk = organiser.post(f"/benchmark/reports/{BULK_YEAR}/", {}, timeout=90)
            bulk_outcome = f"HTTP {bulk.status_code}"
        except requests.RequestException as error:
            bulk_outcome = f"no answer ({type(error).__name__})"
        bulk_seconds = time.monotonic() - began
        asked = sum(drill.reports(BULK_YEAR).values())
        waiting_bulk = len(drill.pending_tasks()) - len(waiting)
        drill.check(
            f"the organiser's 'make all reports' of {BULK_YEAR} answers with Redis away",
            bulk_outcome == "HTTP 302",
            f"{bulk_outcome} after {bulk_seconds:.0f} s",
        )
        drill.check(
            f"every report of {BULK_YEAR} asked for waits in PendingTask",
            waiting_bulk == asked,
            f"{asked} asked, {waiting_bulk} waiting",
        )

        # Redis back, empty. The worker reconnects; the relay sends what waited.
        redis.start()
        drill.say("Redis started again (empty)")
        drill.check("the worker stayed up through the outage", worker.poll() is None)
        relay = drill.manage("outbox_relay", quiet=True).stdout.strip()
        drill.say(f"manage.py outbox_relay: {relay}")
        expected = {
            "collega0@aalten.example",
            "collega1@aalten.example",
            "collega2@aalten.example",
            "deelnemer@aalten.example",
        }
        wait_for("the mails of the outage", lambda: len(drill.mails()) >= len(expected), 60)
        wait_for("the report", lambda: drill.reports(YEAR, [CODE]).get("done"), 60)
        download = second.get(f"/benchmark/{CODE}/{YEAR}/report.pdf")
        drill.check(
            "the penvoerder's report was made and downloads as a PDF",
            download.status_code == 200 and download.content.startswith(b"%PDF-"),
            f"HTTP {download.status_code}, {len(download.content)} bytes",
        )
        # The worker works through what the relay sent, until nothing is queued or taken.
        wait_for(
            "the worker to finish what was sent",
            lambda: redis.cli("LLEN", "celery") == "0" and redis.cli("HLEN", "unacked") == "0",
            300,  # fifty PDF reports on one worker of a two-core machine
            0.5,
        )
        bulk_states = drill.reports(BULK_YEAR)
        made = bulk_states.get("done", 0)
        drill.check(
            f"every report of {BULK_YEAR} asked for was made",
            made == asked,
            f"{asked} asked, {made} made, "
            f"{bulk_states.get('queued', 0)} left 'being made' with no task",
        )

        # A task started now goes straight to the broker.
        invite_colleague(second, CODE, "collega3@aalten.example")
        expected.add("collega3@aalten.example")
        wait_for("the mail sent after the outage", lambda: len(drill.mails()) >= len(expected), 30)
        after = drill.pending_tasks()
        drill.check("no task waiting afterwards", after == [], f"{len(after)} waiting")

        mails = drill.mails()
        recipients = sorted(mail["to"] for mail in mails)
        drill.check(
            "every mail arrived exactly once",
            recipients == sorted(expected),
            f"expected {len(expected)}, found {len(mails)}: {', '.join(recipients)}",
        )
        saved, found, missing = scan.compare_with_database(drill)
        drill.check(
            "every saved answer is in the database",
            saved == found > 0,
            f"saved {saved}, found {found}",
        )
        for line in missing[:10]:
            drill.say(f"  not as saved: {line}")
        status = drill.scan_status(CODE, YEAR)
        drill.check("the scan is submitted", status == "submitted", status)
        drill.number(f"answers saved {saved}/found {found}")
        drill.number(f"failed requests {errors}")
        drill.number(
            f"tasks pending in the outage {len(waiting) + waiting_bulk}, after {len(after)}"
        )
        drill.number(f"mails expected {len(expected)}/found {len(mails)}")
        drill.number(f"penvoerder's report {'made' if download.status_code == 200 else 'MISSING'}")
        drill.number(f"reports {BULK_YEAR} asked {asked}/made {made}")
    drill.exit()


if __name__ == "__main__":
    sys.exit(main())
