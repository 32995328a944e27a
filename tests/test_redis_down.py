"""Redis away: the web process keeps working, and the mail it could not hand to a worker goes
out once Redis is back — through a real Redis and a real Celery worker, as in
tests/test_celery_worker.py.

The web process with Redis away is a second process whose REDIS_URL names a port where nothing
listens; it logs in (the rate limits live in the cache), saves an answer and issues a login
(which mails a link). Then `manage.py outbox_relay` with the real Redis hands the waiting task
to a worker."""

import subprocess
import sys
import time
import uuid

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection

from common.models import PendingTask
from monitor.models import Answer
from tests.factories import PASSWORD
from tests.test_celery_worker import ROOT, require, start_worker, worker_env

NOWHERE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there

WEB_PROCESS = f"""
from django.test import Client
from monitor.models import User

client = Client()
response = client.post(
    "/accounts/login/", {{"login": "alice@aalten.test", "password": "{PASSWORD}"}}
)
assert response.status_code == 302, ("login", response.status_code)
section = client.get("/scan/gm0197/2026/section/volume/")
assert section.status_code == 200, ("section", section.status_code)
saved = client.post(
    "/scan/gm0197/2026/answer/fte_inkoop/",
    {{"fte_inkoop-value": "3", "fte_inkoop-version": "0", "fte_inkoop-original": "null"}},
)
assert saved.status_code == 200, ("save", saved.status_code, saved.content[:300])
desk = Client()
desk.force_login(User.objects.get(email="servicedesk@cimolt.test"))
issued = desk.post(
    "/servicedesk/gm0197/accounts/issue/",
    {{"full_name": "Nina Nieuw", "email": "nina@aalten.test", "role": "contributor"}},
)
assert issued.status_code == 302, ("issue", issued.status_code)
print("web process done")
"""


def run(args, env, timeout=120):
    return subprocess.run(  # noqa: S603  (our own fixed command line)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_with_redis_away_the_scan_works_and_the_mail_waits_until_redis_is_back(
    alice, servicedesk, scan_a, tmp_path, settings
):
    require(bool(settings.REDIS_URL), "REDIS_URL is not set")
    require(connection.vendor == "postgresql", "the database is not PostgreSQL")
    # The other process hashes with the production hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    alice.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    alice.save(update_fields=["password"])
    mail_dir = tmp_path / "mail"
    env = worker_env(mail_dir)
    away = {**env, "REDIS_URL": NOWHERE}

    web = run(["shell", "-c", WEB_PROCESS], away)
    assert web.returncode == 0, web.stderr[-3000:]
    assert Answer.objects.get(scan=scan_a, question__key="fte_inkoop").value == "3"
    (pending,) = PendingTask.objects.all()
    assert pending.name == "monitor.tasks.password_link_send"

    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(queue, {**env, "CELERY_QUEUE": queue})
    try:
        relay = run(["outbox_relay"], {**env, "CELERY_QUEUE": queue})
        assert relay.returncode == 0, relay.stderr[-3000:]
        assert "1 tasks sent" in relay.stdout
        assert not PendingTask.objects.exists()
        for _ in range(120):
            if mail_dir.exists() and any(mail_dir.iterdir()):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    (mail,) = mail_dir.iterdir()
    assert "To: nina@aalten.test" in mail.read_text()


RETRY_WITH_REDIS_AWAY = """
from celery.exceptions import Ignore
from monitor.models import User
from monitor.tasks import password_link_send

# As a worker runs the task: the mail server is away, so the task asks for its retry, which
# has to go through Redis.
user = User.objects.get(email="alice@aalten.test")
password_link_send.push_request(
    args=[user.pk], id="retry-test", retries=0, is_eager=False, called_directly=False
)
try:
    password_link_send.retry(exc=ConnectionRefusedError(111, "Connection refused"))
except Ignore:
    print("kept")
"""


@pytest.mark.django_db(transaction=True)
def test_a_mail_whose_retry_cannot_reach_redis_waits_in_the_outbox(alice, tmp_path, settings):
    require(bool(settings.REDIS_URL), "REDIS_URL is not set")
    require(connection.vendor == "postgresql", "the database is not PostgreSQL")
    away = {**worker_env(tmp_path / "mail"), "REDIS_URL": NOWHERE}
    result = run(["shell", "-c", RETRY_WITH_REDIS_AWAY], away)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "kept" in result.stdout
    (pending,) = PendingTask.objects.all()
    assert (pending.name, pending.args) == ("monitor.tasks.password_link_send", [alice.pk])
