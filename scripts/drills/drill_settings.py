"""The production settings (cimolt/settings.py, read from the same environment variables) with
one change: static files are not collected. Collecting and compressing them takes over a
minute on a 2-core machine and is not what a fault drill tests; the pages render the same,
with unhashed static URLs, and nothing is written to the project's staticfiles/."""

import os
from pathlib import Path

from cimolt.settings import *  # noqa: F403
from cimolt.settings import STORAGES

STATIC_ROOT = Path(os.environ["DRILL_STATIC_ROOT"])
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
