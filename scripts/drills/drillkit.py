"""What every fault drill shares (scripts/drills/README.md).

A drill starts servers of its own in a temporary directory: a PostgreSQL cluster (run as the
``postgres`` user when the drill runs as root, since initdb and postgres refuse root), a
redis-server that keeps nothing on disk, gunicorn and Celery workers with production settings
(DEBUG off, a generated SECRET_KEY, mail written to files it can count). It drives CIMoLT over
HTTP as a penvoerder's browser does, saving answers the way static/js/autosave.js does, looks
in the database afterwards and prints PASS or FAIL with its numbers. Whatever happens, every
process it started is stopped and the directory removed.

Seeding the demo takes about a minute, so ``run.sh`` seeds one cluster once
(``drillkit.py prepare DIR``) and each drill starts a private copy of it (``DRILL_TEMPLATE``).
A drill run on its own seeds its own.

The machine's shared PostgreSQL (5432) and Redis (6379) are never used: the drills refuse
those ports.
"""

import base64
import contextlib
import email
import email.header
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
VENV_BIN = ROOT / ".venv" / "bin"
PG_BIN = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))
SHARED_PORTS = {5432, 6379}  # the machine's own PostgreSQL and Redis: never ours
HTTP_TIMEOUT = 30
DEMO_PASSWORD = "demo"  # noqa: S105  (seed_demo's documented demo password)


class DrillFailed(Exception):
    """A step of the drill could not be done; the drill fails with this message."""


def free_port(preferred: int) -> int:
    for port in range(preferred, preferred + 500):
        if port in SHARED_PORTS:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise DrillFailed(f"no free port from {preferred}")


def wait_for(what: str, condition, timeout: float, interval: float = 0.2):
    """Poll ``condition`` until it returns something true; that value is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DrillFailed(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def as_postgres() -> list[str]:
    """initdb, pg_ctl and postgres refuse to run as root: run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def chown_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(path)], check=True)  # noqa: S603, S607


# --- Servers ---------------------------------------------------------------------------------


class Postgres:
    """A private PostgreSQL cluster on 127.0.0.1, trust authentication for user postgres."""

    def __init__(self, drill: "Drill", home: Path, port: int):
        self.drill, self.home, self.port = drill, home, port
        self.data = home / "data"
        self.log = home / "postgres.log"
        home.mkdir(parents=True, exist_ok=True)
        chown_postgres(home)

    def url(self, database: str = "cimolt") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        self.drill.run(
            [
                *as_postgres(),
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            quiet=True,
        )

    def copy_from(self, template: Path) -> None:
        self.drill.run(["cp", "-a", str(template), str(self.data)])
        chown_postgres(self.data)

    def pg_ctl(self, *args: str) -> None:
        self.drill.run([*as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args])

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1"
        self.pg_ctl("-l", str(self.log), "-s", "-w", "-t", "60", "-o", options, "start")
        self.drill.on_cleanup(self.stop_now)

    def stop(self) -> None:
        self.pg_ctl("-s", "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """What an operator's ``pg_ctl restart -m fast`` does: sessions are cut off."""
        self.pg_ctl("-l", str(self.log), "-s", "-m", "fast", "-w", "-t", "60", "restart")

    def stop_now(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603
                [*as_postgres(), PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
            )

    def psql(self, sql: str, database: str = "cimolt", **variables) -> str:
        """Run ``sql`` in psql; ``variables`` are psql variables (:'name' in the SQL)."""
        options = [f"--set={name}={value}" for name, value in variables.items()]
        result = self.drill.run(
            ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", *options, "-d", self.url(database)],
            input=sql,
            quiet=True,
        )
        return result.stdout.strip()


class Redis:
    """A private redis-server that keeps nothing on disk (--save '' --appendonly no)."""

    def __init__(self, drill: "Drill", home: Path, port: int):
        self.drill, self.home, self.port = drill, home, port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None
        home.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self.process = self.drill.spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.home),
            ],
            log=self.home / "redis.log",
        )
        wait_for("redis to answer", lambda: self.cli("PING") == "PONG", 20)

    def stop(self) -> None:
        """Redis goes away: its data (no persistence) with it."""
        if self.process is not None:
            self.drill.terminate(self.process, signal.SIGKILL)
            self.process = None

    def cli(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.port), *args],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip()


class SMTPServer(socketserver.ThreadingTCPServer):
    """A mail server on 127.0.0.1 that, while ``hanging`` is set, accepts the connection and
    then says nothing: the client waits for the greeting, as it does at a mail server that has
    stopped responding. Otherwise it speaks enough SMTP to take each message and keeps it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _SMTPHandler)
        self.port = port
        self.hanging = threading.Event()
        self.hung = threading.Event()
        self.connections = 0
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()

    def recipients(self) -> list[str]:
        with self.lock:
            return [message["To"] for message in self.messages]


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server: SMTPServer = self.server
        with server.lock:
            server.connections += 1
        if server.hanging.is_set():
            server.hung.set()
            self.request.settimeout(300)
            try:
                while self.request.recv(1024):  # until the client goes away
                    pass
            except OSError:
                pass
            return
        self.reply("220 drill ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 drill")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                with server.lock:
                    server.messages.append(email.message_from_bytes(b"".join(lines)))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self.reply("250 ok")


# --- The drill -------------------------------------------------------------------------------


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""


class Drill:
    """One drill: its temporary directory, the processes it started, its checks and result.

    Use as a context manager; leaving it (normally, by an error, Ctrl-C or SIGTERM) stops every
    process and removes the directory."""

    def __init__(self, name: str, title: str):
        self.name, self.title = name, title
        self.started = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix=f"cimolt-drill-{name}-"))
        self.tmp.chmod(0o711)  # the postgres user must reach its cluster below
        self.mail_dir = self.tmp / "mail"
        self.media_dir = self.tmp / "media"
        self.static_dir = self.tmp / "static"
        for directory in (self.mail_dir, self.media_dir, self.static_dir):
            directory.mkdir()
        self.secret_key = os.environ.get("DRILL_SECRET_KEY") or secrets.token_urlsafe(50)
        self.visibility_timeout = 360  # production's default (cimolt/settings.py)
        self.extra_env: dict[str, str] = {}
        self.pg: Postgres | None = None
        self.redis: Redis | None = None
        self.web_port: int | None = None
        self.checks: list[Check] = []
        self.numbers: list[str] = []
        self._cleanups: list = []
        self._processes: list[subprocess.Popen] = []
        self.error: str | None = None

    # Lifecycle

    def __enter__(self):
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        self.say(f"{self.title}  (working directory {self.tmp})")
        return self

    def _on_signal(self, signum, frame):
        raise SystemExit(128 + signum)

    def __exit__(self, kind, error, tb):
        if error is not None:
            if isinstance(error, DrillFailed):
                self.error = str(error)
            elif isinstance(error, KeyboardInterrupt | SystemExit):
                self.error = f"interrupted ({error!r})"
            else:
                self.error = "".join(traceback.format_exception(kind, error, tb)).strip()
            self.say(f"STOPPED: {self.error}")
        self.cleanup()
        self.report()
        return True

    def on_cleanup(self, function) -> None:
        self._cleanups.append(function)

    def cleanup(self) -> None:
        for process in reversed(self._processes):
            self.terminate(process, signal.SIGTERM, quiet=True)
        for function in reversed(self._cleanups):
            try:
                function()
            except Exception as error:  # cleanup goes on, whatever failed
                print(f"  cleanup: {error}", file=sys.stderr)
        if os.environ.get("DRILL_KEEP_TMP"):
            self.say(f"kept {self.tmp} (DRILL_KEEP_TMP)")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.ok for c in self.checks)

    def report(self) -> None:
        seconds = time.monotonic() - self.started
        verdict = "PASS" if self.passed else "FAIL"
        print(f"\n== {self.name}: {verdict} ({seconds:.0f} s) ==")
        for check in self.checks:
            print(
                f"  [{'ok' if check.ok else 'FAIL'}] {check.label}"
                + (f": {check.detail}" if check.detail else "")
            )
        if self.error:
            print(f"  [FAIL] the drill stopped: {self.error.splitlines()[-1]}")
        summary = "; ".join(self.numbers) or (self.error or "no figures").splitlines()[-1]
        line = f"{self.name} {verdict} {seconds:.0f}s | {summary}"
        print(f"RESULT {line}", flush=True)
        if os.environ.get("DRILL_RESULTS"):  # run.sh's summary
            with open(os.environ["DRILL_RESULTS"], "a") as results:
                results.write(line + "\n")

    def exit(self) -> None:
        sys.exit(0 if self.passed else 1)

    # Output and checks

    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)

    def check(self, label: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(label, bool(ok), detail))
        self.say(f"{'ok  ' if ok else 'FAIL'} {label}" + (f": {detail}" if detail else ""))
        return bool(ok)

    def number(self, text: str) -> None:
        """A figure for the one-line summary that run.sh collects."""
        self.numbers.append(text)

    # Processes

    def run(self, argv, *, env=None, quiet=False, check=True, timeout=600, input=None):
        result = subprocess.run(  # noqa: S603  (fixed command lines of our own)
            [str(a) for a in argv],
            cwd=ROOT,
            env=env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise DrillFailed(
                f"{' '.join(str(a) for a in argv[:6])} exited {result.returncode}:\n"
                + (result.stdout + result.stderr)[-3000:]
            )
        if not quiet and result.stdout.strip():
            for line in result.stdout.strip().splitlines()[-5:]:
                print(f"    {line}")
        return result

    def spawn(self, label: str, argv, *, log: Path, env=None) -> subprocess.Popen:
        """Start a long-running process in a process group of its own (so it can be killed
        with its children), output to ``log``."""
        with open(log, "ab") as out:
            process = subprocess.Popen(  # noqa: S603  (fixed command lines of our own)
                [str(a) for a in argv],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.label, process.log = label, log
        self._processes.append(process)
        return process

    def terminate(self, process: subprocess.Popen, signum=signal.SIGTERM, quiet=False) -> None:
        """Send ``signum`` to the process and its children; wait for them, SIGKILL if need be."""
        if process.poll() is None:
            try:
                os.killpg(process.pid, signum)
                process.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # a pool process left behind goes too
        if not quiet:
            self.say(f"{process.label} (pid {process.pid}) stopped with signal {signum.name}")

    # The application

    def postgres(self, *, port: int | None = None) -> Postgres:
        """A private cluster with the seeded demo database ``cimolt``, started."""
        self.pg = Postgres(self, self.tmp / "pg", port or free_port(55432))
        template = os.environ.get("DRILL_TEMPLATE")
        if template and (Path(template) / "pgdata" / "PG_VERSION").exists():
            self.pg.copy_from(Path(template) / "pgdata")
            self.pg.start()
            self.say(f"PostgreSQL on port {self.pg.port}: a private copy of the seeded cluster")
        else:
            seed_cluster(self, self.pg)
        return self.pg

    def start_redis(self, *, port: int | None = None) -> Redis:
        self.redis = Redis(self, self.tmp / "redis", port or free_port(56379))
        self.redis.start()
        self.say(f"Redis on port {self.redis.port} (nothing kept on disk)")
        return self.redis

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment of every application process: production settings."""
        inherited = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER")
        env = {key: os.environ[key] for key in inherited if key in os.environ}
        env.update(
            PYTHONPATH=str(HERE),
            PYTHONUNBUFFERED="1",
            DJANGO_SETTINGS_MODULE="drill_settings",
            DRILL_STATIC_ROOT=str(self.static_dir),
            DEBUG="false",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            MEDIA_ROOT=str(self.media_dir),
            CELERY_VISIBILITY_TIMEOUT=str(self.visibility_timeout),
            LOG_LEVEL="INFO",
        )
        if self.pg is not None:
            env["DATABASE_URL"] = self.pg.url()
        if self.redis is not None:
            env["REDIS_URL"] = self.redis.url
        if self.web_port is not None:
            env["SITE_URL"] = f"http://127.0.0.1:{self.web_port}"
        env.update(self.extra_env)
        env.update(overrides)
        for key in ("DATABASE_URL", "REDIS_URL"):
            port = re.search(r":(\d+)/", env.get(key, ""))
            if port and int(port.group(1)) in SHARED_PORTS:
                raise DrillFailed(f"{key} points at a shared service: {env[key]}")
        return env

    def manage(self, *args: str, env=None, quiet=False):
        return self.run([PYTHON, "manage.py", *args], env=env or self.env(), quiet=quiet)

    def gunicorn(self, *, workers: int = 2) -> str:
        self.web_port = self.web_port or free_port(58000)
        process = self.spawn(
            "gunicorn",
            [
                VENV_BIN / "gunicorn",
                "cimolt.wsgi",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(workers),
                "--access-logfile",
                self.tmp / "access.log",
                "--graceful-timeout",
                "5",
                # Not the shared ~/.gunicorn/gunicorn.ctl another gunicorn on the machine uses.
                "--no-control-socket",
            ],
            log=self.tmp / "gunicorn.log",
            env=self.env(),
        )
        self.web_process = process
        base = f"http://127.0.0.1:{self.web_port}"

        def healthy():
            if process.poll() is not None:
                raise DrillFailed("gunicorn exited:\n" + tail(self.tmp / "gunicorn.log"))
            try:
                return requests.get(base + "/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for("gunicorn's /healthz", healthy, 60)
        self.say(f"gunicorn on {base}, {workers} workers, DEBUG off")
        return base

    def worker(self, name: str, *, env=None, wait: bool = True) -> subprocess.Popen:
        """A Celery worker with one pool process (prefork), as docker-compose.yml starts them.
        With ``wait=False`` it starts meanwhile; ``worker_ready`` waits for it."""
        log = self.tmp / f"worker-{name}.log"
        process = self.spawn(
            f"worker {name}",
            [
                VENV_BIN / "celery",
                "-A",
                "cimolt",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@drill",
            ],
            log=log,
            env=env or self.env(),
        )

        process.name = name
        if wait:
            self.worker_ready(process)
        return process

    def worker_ready(self, process: subprocess.Popen) -> None:
        def ready():
            if process.poll() is not None:
                raise DrillFailed(f"worker {process.name} exited:\n" + tail(process.log))
            return " ready." in process.log.read_text(errors="replace")

        wait_for(f"worker {process.name} to be ready", ready, 60)
        self.say(f"Celery worker {process.name} (pid {process.pid}) ready")

    def query(self, code: str, *, env=None):
        """Run Python with Django set up against the drill's database; returns ``result``."""
        script = (
            "import json\nimport django\ndjango.setup()\n"
            + textwrap.dedent(code)
            + "\nprint('DRILL-JSON ' + json.dumps(result, default=str))\n"
        )
        output = self.run(
            [PYTHON, "-c", script], env=env or self.env(LOG_LEVEL="WARNING"), quiet=True
        )
        for line in output.stdout.splitlines():
            if line.startswith("DRILL-JSON "):
                return json.loads(line[len("DRILL-JSON ") :])
        raise DrillFailed(
            "no result from the query:\n" + output.stdout[-2000:] + output.stderr[-2000:]
        )

    def sql(self, query: str, **variables) -> str:
        """One query in psql against the drill's database (quicker than starting Django)."""
        return self.pg.psql(query, **variables)

    def scans(self, year: int, status: str, limit: int) -> list[str]:
        """The URL codes of municipalities whose scan of ``year`` has ``status``; Aalten first."""
        return self.sql(
            "SELECT lower(o.cbs_code) FROM monitor_scan s"
            " JOIN monitor_organisation o ON o.id = s.organisation_id"
            " JOIN monitor_edition e ON e.id = s.edition_id"
            " WHERE e.year = :year AND s.status = :'status'"
            " ORDER BY o.cbs_code <> 'GM0197', o.cbs_code LIMIT :limit",
            year=year,
            status=status,
            limit=limit,
        ).split()

    def scan_status(self, code: str, year: int) -> str:
        return self.sql(
            "SELECT s.status FROM monitor_scan s"
            " JOIN monitor_organisation o ON o.id = s.organisation_id"
            " JOIN monitor_edition e ON e.id = s.edition_id"
            " WHERE o.cbs_code = upper(:'code') AND e.year = :year",
            code=code,
            year=year,
        )

    def reports(self, year: int, codes: list[str] | None = None) -> dict[str, int]:
        """How many PDF reports of ``year`` (of ``codes``, or all) have each status."""
        rows = self.sql(
            "SELECT r.status, count(*) FROM benchmark_report r"
            " JOIN monitor_scan s ON s.id = r.scan_id"
            " JOIN monitor_organisation o ON o.id = s.organisation_id"
            " JOIN monitor_edition e ON e.id = s.edition_id"
            " WHERE e.year = :year"
            " AND (:'codes' = '' OR lower(o.cbs_code) = ANY (string_to_array(:'codes', ',')))"
            " GROUP BY r.status",
            year=year,
            codes=",".join(codes or []),
        )
        return {status: int(count) for status, count in (row.split("|") for row in rows.split())}

    def pending_tasks(self) -> list[str]:
        return self.sql("SELECT name FROM common_pendingtask ORDER BY id").split()

    def mails(self) -> list[dict]:
        """Every message the file mail backend wrote: recipient and subject."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in re.split(r"\n-{79}\n", path.read_text(errors="replace")):
                if chunk.strip():
                    message = email.message_from_string(chunk.lstrip("\n"))
                    subject = str(
                        email.header.make_header(
                            email.header.decode_header(message["Subject"] or "")
                        )
                    )
                    found.append({"to": message["To"], "subject": subject})
        return found


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def seed_cluster(drill: Drill, pg: Postgres) -> None:
    """initdb, start, create the database, migrate and load the demo (seed_demo --force).
    No broker: the demo's own mails go nowhere (the dummy backend), tasks run in-process."""
    began = time.monotonic()
    pg.initdb()
    pg.start()
    pg.psql("CREATE DATABASE cimolt", database="postgres")
    env = drill.env(
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", LOG_LEVEL="WARNING"
    )
    env.pop("REDIS_URL", None)
    drill.manage("migrate", "--no-input", env=env, quiet=True)
    drill.manage("seed_demo", "--force", env=env)
    seconds = time.monotonic() - began
    drill.say(f"PostgreSQL on port {pg.port}: initdb, migrate, seed_demo in {seconds:.0f} s")


def prepare(target: Path) -> None:
    """Seed one cluster into ``target``/pgdata for the drills of one run to copy."""
    with Drill("prepare", "Seeding the cluster the drills copy") as drill:
        pg = Postgres(drill, drill.tmp / "pg", free_port(55432))
        drill.pg = pg
        seed_cluster(drill, pg)
        counts = drill.query(
            "from monitor.models import Scan, User, Answer\n"
            "result = [Scan.objects.count(), User.objects.count(), Answer.objects.count()]"
        )
        pg.stop()
        target.mkdir(parents=True, exist_ok=True)
        drill.run(["cp", "-a", str(pg.data), str(target / "pgdata")])
        drill.check(
            "demo seeded",
            counts[0] > 0,
            f"{counts[0]} scans, {counts[1]} accounts, {counts[2]} answers",
        )
        drill.number(f"{counts[0]} scans, {counts[1]} accounts, {counts[2]} answers")
    drill.exit()


# --- The browser -----------------------------------------------------------------------------


class _Page(HTMLParser):
    """The forms, fields and question blocks of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.fields: list[dict] = []
        self.blocks: dict[str, dict] = {}
        self._form = self._textarea = self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower()}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif tag == "div" and "data-prefix" in a:
            self.blocks[a["data-prefix"]] = {
                "url": a.get("data-autosave-url"),
                "state": a.get("data-state"),
            }
        elif tag in ("input", "textarea", "select"):
            item = {
                "name": a.get("name"),
                "type": a.get("type", tag).lower() if tag == "input" else tag,
                "value": a.get("value", ""),
                "checked": "checked" in a,
                "options": [],
            }
            self.fields.append(item)
            if self._form is not None and "form" not in a:
                self._form["fields"].append(item)
            if tag == "textarea":
                self._textarea = item
            elif tag == "select":
                self._select = item
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["value"] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea["value"].startswith("\n"):
                self._textarea["value"] = self._textarea["value"][1:]
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


@dataclass
class Block:
    """One question as the page shows it: what autosave.js posts for it."""

    key: str
    url: str
    kind: str  # radio, checkbox, text (numbers), textarea
    options: list[str]
    current: object
    version: str
    original: str

    def next_value(self, round_no: int):
        """A value different from the current one, valid for the question: (what the form
        posts, what the database then holds)."""
        if self.kind == "radio":
            index = (
                self.options.index(self.current) + 1 if self.current in self.options else round_no
            )
            choice = self.options[index % len(self.options)]
            return [choice], choice
        if self.kind == "checkbox":
            chosen = [self.options[round_no % len(self.options)]]
            if set(chosen) == set(self.current):
                chosen = [self.options[(round_no + 1) % len(self.options)]]
            return chosen, sorted(chosen)
        if self.kind == "textarea":
            text = f"Antwoord van de oefening, ronde {round_no}"
            return [text], text
        # Amounts, numbers and percentages: the same value for all in a round, rising round by
        # round, so a part never exceeds its total once both are saved (totals come first).
        number = str(10 + round_no)
        if number == self.current:
            number = str(11 + round_no)
        return [number], number


def totp_code(secret: str, period: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows now (RFC 6238, as allauth checks it)."""
    counter = struct.pack(">Q", int(time.time()) // period)
    digest = hmac.new(base64.b32decode(secret, casefold=True), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}}"


def blocks_of(html: str) -> list[Block]:
    page = _Page(html)
    by_name: dict[str, list[dict]] = {}
    for item in page.fields:
        by_name.setdefault(item["name"], []).append(item)
    blocks = []
    for prefix, info in page.blocks.items():
        fields = by_name.get(f"{prefix}-value", [])
        if not info["url"] or not fields:
            continue
        kind = fields[0]["type"]
        if kind in ("radio", "checkbox"):
            options = [f["value"] for f in fields]
            checked = [f["value"] for f in fields if f["checked"]]
            current = checked[0] if kind == "radio" and checked else checked
        else:
            options, current = [], fields[0]["value"]
        version = by_name.get(f"{prefix}-version", [{"value": "0"}])[-1]["value"]
        original = by_name.get(f"{prefix}-original", [{"value": ""}])[-1]["value"]
        blocks.append(Block(prefix, info["url"], kind, options, current, version, original))
    return blocks


def forms_of(html: str) -> list[dict]:
    return _Page(html).forms


@dataclass
class Browser:
    """One user's browser: a session cookie, the CSRF cookie, and a tally of answers."""

    base: str
    email: str = ""
    session: requests.Session = field(default_factory=requests.Session)
    statuses: dict = field(default_factory=dict)
    timeline: list = field(default_factory=list)  # (when sent, status or error) per request

    def _count(self, outcome, started: float | None = None):
        """Tally an answer (its status) or a request that got none (the error's name)."""
        key = str(outcome.status_code) if isinstance(outcome, requests.Response) else outcome
        self.statuses[key] = self.statuses.get(key, 0) + 1
        self.timeline.append((started or time.time(), key))
        return outcome

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        started = time.time()
        try:
            response = self.session.request(method, self.base + path, **kwargs)
        except requests.RequestException as error:
            self._count(type(error).__name__, started)
            raise
        return self._count(response, started)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data, **kwargs) -> requests.Response:
        payload = [("csrfmiddlewaretoken", self.session.cookies.get("csrftoken", ""))]
        payload += list(data.items()) if isinstance(data, dict) else list(data)
        kwargs.setdefault("allow_redirects", False)
        return self.request("POST", path, data=payload, **kwargs)

    def login(self, email_address: str, password: str = DEMO_PASSWORD) -> None:
        self.email = email_address
        self.get("/accounts/login/")
        response = self.post("/accounts/login/", {"login": email_address, "password": password})
        if response.status_code != 302 or "sessionid" not in self.session.cookies:
            raise DrillFailed(f"login of {email_address} failed: HTTP {response.status_code}")

    def login_staff(self, drill: "Drill", email_address: str) -> None:
        """Staff log in with their authenticator app: the drill reads the demo account's TOTP
        secret from its own database and computes the code the app would show."""
        self.login(email_address)
        secret = drill.query(
            f"""
            from allauth.mfa.models import Authenticator
            from allauth.mfa.utils import decrypt
            authenticator = Authenticator.objects.get(
                user__email={email_address!r}, type=Authenticator.Type.TOTP
            )
            result = decrypt(authenticator.data["secret"])
            """
        )
        response = self.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
        if response.status_code != 302:
            raise DrillFailed(
                f"second factor of {email_address} refused: HTTP {response.status_code}"
            )

    def fill_form(self, path: str, values: dict, *, action=None, field=None) -> requests.Response:
        """Post a form of the page at ``path`` (the first posting to an action containing
        ``action``, or having a field named ``field``) as a browser would: its fields as they
        are, ``values`` typed in (FIRST: the first option), the first of unchosen radios."""
        page = self.get(path)
        if page.status_code != 200:
            raise DrillFailed(f"GET {path}: HTTP {page.status_code}")
        forms = [
            form
            for form in forms_of(page.text)
            if form["method"] == "post"
            and (action is None or action in form["action"])
            and (field is None or any(item["name"] == field for item in form["fields"]))
        ]
        if not forms:
            raise DrillFailed(f"no such form on {path} (action {action}, field {field})")
        groups: dict[str, list[dict]] = {}
        for item in forms[0]["fields"]:
            if (
                item["name"]
                and item["name"] != "csrfmiddlewaretoken"
                and item["type"]
                not in (
                    "submit",
                    "button",
                    "reset",
                    "file",
                )
            ):
                groups.setdefault(item["name"], []).append(item)
        data = []
        for name, items in groups.items():
            kind, wanted = items[0]["type"], values.get(name)
            if wanted is FIRST:
                choices = (
                    [i["value"] for i in items]
                    if kind in ("radio", "checkbox")
                    else items[0]["options"]
                )
                wanted = next(choice for choice in choices if choice)
            if wanted is not None:
                data += [(name, v) for v in (wanted if isinstance(wanted, list) else [wanted])]
            elif kind in ("radio", "checkbox"):
                checked = [i["value"] for i in items if i["checked"]]
                if not checked and kind == "radio":
                    checked = [items[0]["value"]]
                data += [(name, v) for v in checked]
            elif kind == "select":
                data.append(
                    (name, items[0]["value"] or next((o for o in items[0]["options"] if o), ""))
                )
            else:
                data += [(name, i["value"]) for i in items]
        return self.post(forms[0]["action"] or path, data)


FIRST = object()  # fill_form: choose the first option


def invite_colleague(browser: Browser, code: str, address: str) -> requests.Response:
    """The penvoerder invites a colleague for one part of the scan: a set-password mail."""
    return browser.fill_form(
        f"/scan/{code}/team/",
        {"full_name": f"Collega {address.split('@')[0]}", "email": address, "sections": FIRST},
        field="full_name",
    )


def register_for_masterclass(browser: Browser, code: str, number: int, address: str):
    """The penvoerder registers a colleague for a masterclass: a confirmation mail."""
    prefix = f"mc{number}"
    return browser.fill_form(
        f"/masterclasses/{code}/{number}/",
        {
            f"{prefix}-session": FIRST,
            f"{prefix}-name": f"Deelnemer {address.split('@')[0]}",
            f"{prefix}-email": address,
            f"{prefix}-function": "inkoopadviseur",
            f"{prefix}-chatham_house": "on",
        },
        field=f"{prefix}-name",
    )


def request_report(browser: Browser, code: str, year: int) -> requests.Response:
    """The penvoerder asks for the PDF report of a submitted scan: a task for a worker."""
    return browser.fill_form(f"/benchmark/{code}/{year}/report/", {}, action="/report/")


class ScanSession:
    """A penvoerder filling in a scan over HTTP, one autosave request per answer, and what
    they saved: question key -> (the value the database should hold, its version)."""

    def __init__(self, browser: Browser, code: str, year: int):
        self.browser, self.code, self.year = browser, code, year
        self.saved: dict[str, tuple] = {}
        self.writes = 0  # answers written (the version went up)
        self.refused = 0  # 400: a rule between answers; saved again after the others
        self.failed_attempts = 0  # 5xx or no answer at all; the browser tries again
        self.failures: list[str] = []

    @property
    def path(self) -> str:
        return f"/scan/{self.code}/{self.year}/"

    def _failed(self, what: str, outcome: str, attempt: int, retries: int, wait: float) -> None:
        """Count a failed attempt, note it, and wait before the next one (as a user would)."""
        self.failed_attempts += 1
        self.failures.append(
            f"{time.strftime('%H:%M:%S')} {what}: {outcome} (attempt {attempt + 1})"
        )
        if attempt < retries:
            time.sleep(wait)

    def page(self, path: str, *, retries: int = 0, wait: float = 0.5) -> str:
        """GET a page; one that fails (5xx, no answer) is loaded again, as a user would."""
        for attempt in range(retries + 1):
            try:
                response = self.browser.get(path)
            except requests.RequestException as error:
                outcome = type(error).__name__
            else:
                if response.status_code == 200:
                    return response.text
                outcome = f"HTTP {response.status_code}"
            self._failed(f"GET {path}", outcome, attempt, retries, wait)
        raise DrillFailed(f"GET {path} failed {retries + 1} times: {self.failures[-1]}")

    def sections(self, *, retries: int = 0) -> list[str]:
        html = self.page(self.path, retries=retries)
        found = re.findall(rf'href="{re.escape(self.path)}section/([\w-]+)/"', html)
        return list(dict.fromkeys(found))

    def blocks(self, section: str, *, retries: int = 0) -> list[Block]:
        return blocks_of(self.page(f"{self.path}section/{section}/", retries=retries))

    def save(self, block: Block, round_no: int, *, retries: int = 0, wait: float = 0.5) -> str:
        """Save a new value for ``block`` as autosave.js does. Returns "saved", "refused"
        (a 400 with the message at the question) or raises DrillFailed."""
        posted, expected = block.next_value(round_no)
        data = [(f"{block.key}-value", v) for v in posted]
        data += [(f"{block.key}-version", block.version), (f"{block.key}-original", block.original)]
        for attempt in range(retries + 1):
            try:
                response = self.browser.post(block.url, data, headers={"X-Requested-With": "fetch"})
            except requests.RequestException as error:
                outcome = type(error).__name__
            else:
                fresh = next((b for b in blocks_of(response.text) if b.key == block.key), None)
                if response.status_code == 400 and fresh is not None:
                    self.refused += 1
                    return "refused"
                if response.status_code == 200 and fresh is not None:
                    if int(fresh.version) > int(block.version):
                        self.writes += 1
                    block.version, block.original = fresh.version, fresh.original
                    block.current = expected if block.kind != "checkbox" else posted
                    self.saved[block.key] = (expected, int(fresh.version))
                    return "saved"
                outcome = f"HTTP {response.status_code}"
                if response.status_code in (200, 400):
                    # Not the question's block: autosave.js says "not saved", the user saves
                    # again. Marked in the timeline so that it does not count as answered.
                    when, _ = self.browser.timeline[-1]
                    self.browser.timeline[-1] = (when, f"{response.status_code} not the question")
                    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)).strip()
                    outcome += f" without the question: {text[:100]}"
            self._failed(block.key, outcome, attempt, retries, wait)
        raise DrillFailed(f"saving {block.key} failed {retries + 1} times: {self.failures[-1]}")

    def fill(self, round_no: int, *, sections=None, retries: int = 0, wait: float = 0.5) -> int:
        """Give every question of the sections a new answer; a refused one (a part above its
        total) is saved again after the others, as a user would correct it."""
        count = 0
        for section in sections or self.sections(retries=retries):
            later = []
            for block in self.blocks(section, retries=retries):
                if self.save(block, round_no, retries=retries, wait=wait) == "refused":
                    later.append(block)
                else:
                    count += 1
            for block in later:
                if self.save(block, round_no, retries=retries, wait=wait) != "saved":
                    raise DrillFailed(f"{block.key} refused twice")
                count += 1
        return count

    def submit(self) -> requests.Response:
        return self.browser.fill_form(f"{self.path}review/", {}, action="review")

    def compare_with_database(self, drill: Drill) -> tuple[int, int, list[str]]:
        """How many saved answers the database holds with the value and version saved."""
        stored = json.loads(
            drill.sql(
                "SELECT coalesce(json_object_agg(q.key, json_build_array(a.value, a.version)),"
                " '{}')"
                " FROM monitor_answer a JOIN monitor_question q ON q.id = a.question_id"
                " JOIN monitor_scan s ON s.id = a.scan_id"
                " JOIN monitor_organisation o ON o.id = s.organisation_id"
                " JOIN monitor_edition e ON e.id = s.edition_id"
                " WHERE o.cbs_code = upper(:'code') AND e.year = :year",
                code=self.code,
                year=self.year,
            )
        )
        missing = [
            f"{key}: saved {value!r} v{version}, found {stored.get(key)!r}"
            for key, (value, version) in self.saved.items()
            if stored.get(key) != [value, version]
        ]
        return len(self.saved), len(self.saved) - len(missing), missing


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]))
    print(__doc__)
    sys.exit(2)
