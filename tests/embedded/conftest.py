"""The embedded stack, as `make run` starts it, for the tests of this folder.

One stack for the whole test session: scripts/run/embedded.py (what `make run` runs) on a SQLite
file of its own in a temporary folder — it migrates, seeds the demo, and starts `runserver`
(threaded, no autoreloader) on a free port and a Celery worker with beat on the broker folder.
The environment is given to it whole, so these tests run the same when the surrounding test run
uses PostgreSQL and Redis (CI): nothing of that reaches the stack. Its database is read directly
with sqlite3.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "scripts" / "run" / "embedded.py"
# migrate and seed_demo (58 password hashes) take most of it; a loaded CI machine is slow.
START_TIMEOUT = 240
# Only what a process needs from the caller's environment; every CIMoLT setting is left out
# (DATABASE_URL, REDIS_URL, …), so the stack takes the defaults of `make run`.
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "SYSTEMROOT")


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI must run this test: {reason}", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    url: str
    folder: Path
    database: Path
    log: Path
    process: subprocess.Popen

    def query(self, sql: str, *params) -> list[tuple]:
        """Read the stack's database, as it is now (WAL: never waits for the server)."""
        with sqlite3.connect(self.database, timeout=30) as connection:
            return connection.execute(sql, params).fetchall()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the stack's output, and every traceback in it."""
        text = self.log.read_text(errors="replace").splitlines()
        tracebacks = [
            "\n".join(text[index : index + 30])
            for index, line in enumerate(text)
            if line.startswith("Traceback")
        ]
        return "\n".join([*tracebacks, "…", *text[-lines:]])

    def children(self) -> list[int]:
        """The processes the launcher started (the worker and the server)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self) -> int:
        """Stop the stack as Ctrl-C in the terminal does; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def _ready(stack: Stack) -> bool:
    """The server answers /healthz and the worker has said it is ready."""
    import requests

    if "ready." not in stack.log.read_text(errors="replace"):
        return False
    try:
        return requests.get(stack.url + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    try:
        import requests  # noqa: F401  (the tests' HTTP client)
    except ImportError:
        require(False, "requests is not installed")
    require(sys.platform.startswith("linux"), "the stack's processes are watched through /proc")
    folder = tmp_path_factory.mktemp("embedded")
    port = free_port()
    env = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CELERY_BROKER_FOLDER": str(folder / "broker"),
        "MEDIA_ROOT": str(folder / "media"),
        # Each simulated user comes from an address of its own (tests/embedded/browser.py).
        "TRUSTED_PROXY_COUNT": "1",
    }
    log = folder / "stack.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  (our own fixed command line)
            [sys.executable, str(LAUNCHER), f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    running = Stack(f"http://127.0.0.1:{port}", folder, folder / "db.sqlite3", log, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(running):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the embedded stack did not start:\n{running.log_tail()}", pytrace=False
                )
            time.sleep(0.5)
        yield running
    finally:
        running.stop()
