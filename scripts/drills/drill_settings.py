"""The production settings (cimolt/settings.py, from the same environment variables), with
one change: the collected static files live in the drill's temporary directory instead of the
project's staticfiles/, so a drill leaves nothing behind in the working tree."""

import os
from pathlib import Path

from cimolt.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["DRILL_STATIC_ROOT"])
