"""A real task through a real Redis broker to a real Celery worker process.

Needs REDIS_URL and PostgreSQL (the worker is another process, so it cannot see an in-memory
SQLite test database). CI sets both and fails rather than skips when either is missing."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cimolt.celery import app as celery_app
from monitor.tasks import password_link_send

ROOT = Path(__file__).resolve().parent.parent


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


def worker_env(mail_dir: Path) -> dict[str, str]:
    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD'] or ''}"
    database_url = f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cimolt.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }


def start_worker(queue: str, env: dict[str, str]) -> subprocess.Popen:
    """A real Celery worker process taking tasks from ``queue`` only."""
    return subprocess.Popen(  # noqa: S603  (our own fixed command line)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cimolt",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


@pytest.mark.django_db(transaction=True)
def test_a_password_link_goes_through_redis_to_a_worker_that_sends_it(alice, tmp_path):
    require(bool(settings.REDIS_URL), "REDIS_URL is not set")
    require(connection.vendor == "postgresql", "the database is not PostgreSQL")
    celery_app.conf.task_always_eager = False
    queue = f"test-{uuid.uuid4().hex}"  # a queue of its own, so no other worker takes the task
    worker = start_worker(queue, worker_env(tmp_path))
    try:
        password_link_send.apply_async((alice.pk,), queue=queue)
        for _ in range(120):  # the worker's mail appears in the mail folder when it is done
            if tmp_path.exists() and any(tmp_path.iterdir()):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    (mail_file,) = tmp_path.iterdir()
    mail = mail_file.read_text()
    assert "To: alice@aalten.test" in mail
    assert "/accounts/password/reset/key/" in mail
