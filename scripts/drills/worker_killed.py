"""Drill: a Celery worker is killed (SIGKILL) in the middle of a task.

1. A mail: the penvoerder invites a colleague; the worker's mail task connects to a mail server
   that accepts the connection and then says nothing, so the task is caught half-way. The
   worker and its pool process are killed. The message stays in Redis as unacknowledged (acks
   late); once the visibility timeout has passed a new worker takes it back, the mail server
   answers now, and the mail must arrive exactly once.
2. PDF reports: six penvoerders ask for their report; a worker starts on them and is killed
   once two are made. A new worker must make every report, each kept once as a whole PDF.

CELERY_VISIBILITY_TIMEOUT is 6 s here (360 s in production). The new worker is started once
the timeout has passed; DRILL_RESTART_AT_ONCE=1 starts it right after the kill instead, as a
restart policy would, and shows how long the task then takes to come back.
"""

import os
import re
import signal
import sys
import threading
import time

from drillkit import (
    Browser,
    Drill,
    SMTPServer,
    free_port,
    invite_colleague,
    request_report,
    wait_for,
)

VISIBILITY_TIMEOUT = 6
CODE = "gm0197"
REPORTS = 6
YEAR = 2026


def unacked(redis) -> list[float]:
    """Delivery times of the messages a worker has taken and not acknowledged."""
    scores = redis.cli("ZRANGE", "unacked_index", "0", "-1", "WITHSCORES").split()
    return [float(score) for score in scores[1::2]]


def wait_past_visibility_timeout(drill: Drill, redis) -> None:
    if os.environ.get("DRILL_RESTART_AT_ONCE"):
        return
    pause = max(unacked(redis), default=0) + VISIBILITY_TIMEOUT + 1 - time.time()
    if pause > 0:
        drill.say(f"waiting {pause:.0f} s for the visibility timeout ({VISIBILITY_TIMEOUT} s)")
        time.sleep(pause)


def task_ids(log, event: str) -> list[str]:
    """The ids of the tasks the worker's log says were received (or succeeded)."""
    return re.findall(rf"Task [\w.]+\[([0-9a-f-]+)\] {event}", log.read_text(errors="replace"))


def main() -> None:
    with Drill("worker_killed", "A Celery worker killed in the middle of a task") as drill:
        drill.visibility_timeout = VISIBILITY_TIMEOUT
        smtp = SMTPServer(free_port(58025))
        threading.Thread(target=smtp.serve_forever, daemon=True).start()
        drill.on_cleanup(smtp.server_close)
        drill.on_cleanup(smtp.shutdown)
        drill.extra_env = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
        }
        drill.postgres()
        redis = drill.start_redis()
        smtp.hanging.set()
        first = drill.worker("w1", wait=False)
        base = drill.gunicorn()
        drill.worker_ready(first)
        drill.say(f"mail server on port {smtp.port}, hanging after it accepts a connection")

        # 1. A mail task, killed while it waits for the mail server.
        penvoerder = Browser(base)
        penvoerder.login(f"penvoerder.{CODE}@demo.test")
        response = invite_colleague(penvoerder, CODE, "collega.nieuw@aalten.example")
        drill.check("the invitation is accepted", response.status_code == 302)
        wait_for("the worker to connect to the mail server", smtp.hung.is_set, 30)
        drill.say("the mail task is running: connected, waiting for the mail server's greeting")
        drill.terminate(first, signal.SIGKILL)
        killed_at = time.time()
        drill.check(
            "killed mid-task: no mail yet, the message kept as unacknowledged",
            smtp.messages == [] and len(unacked(redis)) == 1,
            f"{len(smtp.messages)} mails, {len(unacked(redis))} unacknowledged",
        )
        smtp.hanging.clear()
        wait_past_visibility_timeout(drill, redis)
        second = drill.worker("w2")
        wait_for("the mail", lambda: smtp.messages, VISIBILITY_TIMEOUT + 150, interval=0.5)
        back_after = time.time() - killed_at
        drill.say(f"the mail task ran again and finished {back_after:.0f} s after the kill")
        time.sleep(VISIBILITY_TIMEOUT + 2)  # time enough for a wrong second delivery
        recipients = smtp.recipients()
        drill.check(
            "the mail arrived exactly once",
            recipients == ["collega.nieuw@aalten.example"],
            f"{len(recipients)} mails over {smtp.connections} connections (1 cut by the kill)",
        )
        drill.check("nothing left unacknowledged", unacked(redis) == [], f"{len(unacked(redis))}")

        # 2. PDF reports, the worker killed once two are made.
        drill.terminate(second, signal.SIGTERM)  # warm shutdown: it is idle
        codes = drill.scans(YEAR, "submitted", REPORTS)
        for code in codes:
            browser = Browser(base)
            browser.login(f"penvoerder.{code}@demo.test")
            if request_report(browser, code, YEAR).status_code != 302:
                drill.check(f"report of {code} asked for", False)
        queued = redis.cli("LLEN", "celery")
        drill.say(f"{len(codes)} reports asked for ({', '.join(codes)}), {queued} tasks queued")
        third = drill.worker("w3")
        wait_for("two reports", lambda: drill.reports(YEAR, codes).get("done", 0) >= 2, 90, 0.05)
        drill.terminate(third, signal.SIGKILL)
        at_kill = drill.reports(YEAR, codes)
        received = task_ids(third.log, "received")
        finished = task_ids(third.log, "succeeded")
        taken = [task for task in received if task not in finished]
        drill.check(
            "killed mid-batch",
            at_kill.get("done", 0) < len(codes) and taken,
            f"{at_kill.get('done', 0)} made, {at_kill.get('queued', 0)} waiting, of which "
            f"{len(taken)} taken by the killed worker ({len(unacked(redis))} unacknowledged) "
            f"and {redis.cli('LLEN', 'celery')} still in the queue",
        )
        wait_past_visibility_timeout(drill, redis)
        drill.worker("w4")
        wait_for(
            "every report",
            lambda: drill.reports(YEAR, codes).get("done", 0) == len(codes),
            VISIBILITY_TIMEOUT + 150,
            interval=0.5,
        )
        time.sleep(2)
        final = drill.reports(YEAR, codes)
        files = sorted((drill.media_dir / "reports").rglob("*.pdf"))
        whole = [
            f
            for f in files
            if f.read_bytes().startswith(b"%PDF-") and b"%%EOF" in f.read_bytes()[-64:]
        ]
        drill.check(
            "every report made, each kept once as a whole PDF",
            final == {"done": len(codes)} and len(whole) == len(files) == len(codes),
            f"{final.get('done', 0)} of {len(codes)} made, {len(files)} files, {len(whole)} whole",
        )
        drill.check(
            "nothing left in Redis or the outbox",
            not unacked(redis) and redis.cli("LLEN", "celery") == "0" and not drill.pending_tasks(),
        )
        drill.number(
            f"mail killed mid-task: mails expected 1/found {len(recipients)}, "
            f"back {back_after:.0f} s after the kill (visibility timeout {VISIBILITY_TIMEOUT} s)"
        )
        drill.number(
            f"reports: killed with {at_kill.get('done', 0)}/{len(codes)} made, "
            f"afterwards {final.get('done', 0)}/{len(codes)} made, {len(files)} files"
        )
    drill.exit()


if __name__ == "__main__":
    sys.exit(main())
