"""Drill: PostgreSQL is restarted (pg_ctl restart -m fast) while two penvoerders save answers.

Two penvoerders (Aalten and another municipality with a scan in progress) answer their whole
scan round after round, one autosave request after the other. A few seconds in, PostgreSQL is
restarted the way an operator does it: sessions are cut off. A request that fails in that
moment is sent again after 0.25 s, as a user presses "save" again (the page says the answer was
not saved). The first request after the restart must succeed, and afterwards the database must
hold every answer with the value and version the browser last saw.
"""

import sys
import threading
import time

from drillkit import Browser, Drill, ScanSession

YEAR = 2026
BEFORE, AFTER = 3.0, 4.0  # seconds of saving before the restart and after it
ANSWERED = {"200", "302", "400"}  # 400: a rule between answers, shown at the question


def main() -> None:
    with Drill("postgres_restart", "PostgreSQL restarted while penvoerders save answers") as drill:
        pg = drill.postgres()
        drill.start_redis()
        base = drill.gunicorn()
        scans = []
        for code in drill.scans(YEAR, "open", 2):
            browser = Browser(base)
            browser.login(f"penvoerder.{code}@demo.test")
            scans.append(ScanSession(browser, code, YEAR))
        drill.say(f"penvoerders of {', '.join(scan.code for scan in scans)} logged in")

        stop = threading.Event()
        errors: list[str] = []

        def work(scan: ScanSession) -> None:
            round_no = 0
            try:
                while not stop.is_set():
                    round_no += 1
                    scan.fill(round_no, retries=40, wait=0.25)
            except Exception as error:  # reported as the drill's failure
                errors.append(f"{scan.code}: {error}")

        threads = [threading.Thread(target=work, args=(scan,), daemon=True) for scan in scans]
        for thread in threads:
            thread.start()
        time.sleep(BEFORE)
        began = time.time()
        pg.restart()
        done = time.time()
        drill.say(f"PostgreSQL restarted (pg_ctl restart -m fast) in {done - began:.1f} s")
        time.sleep(AFTER)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        drill.check("both penvoerders went on working", not errors, "; ".join(errors))

        timeline = sorted(entry for scan in scans for entry in scan.browser.timeline)
        failed = [(when, what) for when, what in timeline if what not in ANSWERED]
        after = [what for when, what in timeline if when >= done]
        failed_after = [what for what in after if what not in ANSWERED]
        first_after = {
            scan.code: next((what for when, what in scan.browser.timeline if when >= done), None)
            for scan in scans
        }
        drill.check(
            "the first request of each penvoerder after the restart succeeds",
            all(what in ANSWERED for what in first_after.values()),
            ", ".join(f"{code}: HTTP {what}" for code, what in first_after.items()),
        )
        drill.check(
            "no request failed after the restart",
            not failed_after,
            f"{len(failed_after)} failed of {len(after)}",
        )
        window = (
            f"sent {failed[0][0] - began:+.2f} s to {failed[-1][0] - began:+.2f} s from the restart"
            if failed
            else "none"
        )
        kinds = ", ".join(sorted({what for _, what in failed})) or "-"
        drill.say(f"failed requests: {len(failed)} of {len(timeline)} ({kinds}), {window}")
        for scan in scans:
            for line in scan.failures[:6]:
                drill.say(f"  {scan.code} {line}")
        log = (drill.tmp / "gunicorn.log").read_text(errors="replace")
        interrupted = sum(
            line.startswith("The request's session was deleted") for line in log.splitlines()
        )
        if interrupted:
            drill.say(
                f"{interrupted} of them a 400 'session was deleted': the session could not be"
                " saved after the answer was committed (the answer is in; the page says not saved)"
            )

        saved = found = writes = 0
        for scan in scans:
            n_saved, n_found, missing = scan.compare_with_database(drill)
            saved, found, writes = saved + n_saved, found + n_found, writes + scan.writes
            for line in missing[:10]:
                drill.say(f"  {scan.code} not as saved: {line}")
        drill.check(
            "every answer is in the database as last saved (value and version)",
            saved == found > 0,
            f"{writes} saves written, {saved} answers, {found} found as saved",
        )
        drill.number(f"saves {writes} ({len(after)} requests after the restart)")
        drill.number(f"answers saved {saved}/found {found}")
        drill.number(
            f"failed requests {len(failed)} during the restart (sent again), "
            f"{len(failed_after)} after it"
        )
        drill.number(f"restart took {done - began:.1f} s")
    drill.exit()


if __name__ == "__main__":
    sys.exit(main())
