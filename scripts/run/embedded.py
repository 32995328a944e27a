"""`make run`: CIMoLT on one machine with nothing else running.

Migrates the database, loads the demo, then runs two processes side by side until Ctrl-C:

- the web server (`manage.py runserver`, threaded) on 127.0.0.1:8000;
- a Celery worker with beat, so reports, mails and the periodic tasks run in the background and
  never inside a web request.

Without REDIS_URL the worker's broker is a folder (CELERY_BROKER_URL=filesystem://, messages in
CELERY_BROKER_FOLDER, var/broker/ by default), and the database is SQLite (db.sqlite3) unless
DATABASE_URL says otherwise: no server to install. With REDIS_URL set, the worker uses Redis.

Ctrl-C (or TERM, or HUP) stops both: the worker finishes the task in hand and puts the messages
it had taken but not started back in the folder, so nothing asked for is lost; a second Ctrl-C
stops both at once. When either process ends by itself, the other is stopped too. The
embedded tests (tests/embedded/) start CIMoLT through this script, as `make run` does.

    .venv/bin/python scripts/run/embedded.py [ADDRESS:PORT] [--noreload]
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The worker's processes: reports are CPU work (about a second each), and each process holds
# about 170 MB; two keep a small machine responsive while an edition's reports are made.
WORKER_CONCURRENCY = "2"
# How long a stopping worker may finish the task in hand before it is stopped at once.
STOP_SECONDS = 60


def environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment of `make run`: ``base`` (the caller's), with the broker folder unless
    Redis or another broker is configured, and the demo's second-factor code."""
    env = dict(base)
    if not env.get("REDIS_URL"):
        env.setdefault("CELERY_BROKER_URL", "filesystem://")
    # The demo staff accounts' second factor (README, "Demo accounts"); honoured only with DEBUG.
    env.setdefault("DEMO_TOTP_CODE", "000000")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "cimolt.settings")
    return env


def manage(*args: str, env: Mapping[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def worker_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "cimolt",
        "worker",
        "--beat",
        f"--concurrency={WORKER_CONCURRENCY}",
        # One worker on one machine: nobody to exchange state or heartbeats with.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]


def server_command(address: str, *, reload: bool) -> list[str]:
    command = [sys.executable, "manage.py", "runserver", address]
    return command if reload else [*command, "--noreload"]


def _die_with_parent() -> None:
    """In the child, before it runs: on Linux, be sent TERM when this script dies, also when it
    is killed outright (SIGKILL), so no worker outlives `make run`."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start(command: list[str], env: Mapping[str, str]) -> subprocess.Popen:
    # A session of its own: a Ctrl-C in the terminal reaches only this script, which stops each
    # process the right way (the worker warmly, the server with its autoreloader child).
    return subprocess.Popen(  # noqa: S603  (our own fixed command lines)
        command, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent
    )


class Stack:
    """The web server and the worker, stopped together."""

    def __init__(self, address: str, *, reload: bool, env: Mapping[str, str]):
        self.worker = start(worker_command(), env)
        self.server = start(server_command(address, reload=reload), env)
        self.stops = 0

    def stop(self, *_signal_args) -> None:
        """First call: the worker finishes its task in hand, the server stops. Second: both
        stop at once."""
        self.stops += 1
        worker_signal = signal.SIGTERM if self.stops == 1 else signal.SIGQUIT
        server_signal = signal.SIGTERM if self.stops == 1 else signal.SIGKILL
        for process, signum in ((self.worker, worker_signal), (self.server, server_signal)):
            if process.poll() is None:
                try:
                    # The server's whole group: the autoreloader runs it in a child process.
                    if process is self.server:
                        os.killpg(process.pid, signum)
                    else:
                        process.send_signal(signum)
                except ProcessLookupError:
                    pass

    def wait(self) -> int:
        """Until one of them ends; then stop the other and wait for it. The exit status of the
        one that ended first (0 after Ctrl-C)."""
        while self.worker.poll() is None and self.server.poll() is None:
            time.sleep(0.2)
        status = 0
        if not self.stops:
            names = ("worker", "web server")
            ended, other = names if self.worker.poll() is not None else reversed(names)
            status = self.worker.poll() or self.server.poll() or 1
            print(f"make run: the {ended} stopped; stopping the {other}.", file=sys.stderr)
            self.stop()
        deadline = time.monotonic() + STOP_SECONDS
        for process in (self.worker, self.server):
            while process.poll() is None:
                if time.monotonic() > deadline and self.stops < 2:
                    self.stop()
                time.sleep(0.2)
        return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("address", nargs="?", default="127.0.0.1:8000")
    parser.add_argument("--noreload", action="store_true", help="no autoreloader for the server")
    options = parser.parse_args(argv)

    env = environment(os.environ)
    try:
        manage("migrate", "--no-input", env=env)
        manage("seed_demo", env=env)
    except KeyboardInterrupt:
        return 130  # Ctrl-C before anything was started
    stack = Stack(options.address, reload=not options.noreload, env=env)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stack.stop)
    return stack.wait()


if __name__ == "__main__":
    sys.exit(main())
