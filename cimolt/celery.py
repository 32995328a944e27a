"""The Celery app. With REDIS_URL set, tasks go through Redis to the workers of
docker-compose.yml; without it (a first run, most tests) they run in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cimolt.settings")

app = Celery("cimolt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
