"""The Celery app. With REDIS_URL set, tasks go through Redis to the workers of
docker-compose.yml; with CELERY_BROKER_URL=filesystem:// (`make run`) through files in a folder
to the worker scripts/run/embedded.py starts beside the web server; with neither (most tests, a
plain `manage.py`) they run in the calling process."""

import os
import threading
import time
import uuid

from celery import Celery, signals
from celery.loaders.app import AppLoader
from kombu.transport import filesystem
from kombu.utils.json import dumps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cimolt.settings")


class Loader(AppLoader):
    """Celery's loader, importing the apps' task modules one thread at a time. A web process
    imports them when it starts its first task (common/outbox.py); in a threaded server two
    requests may do so at once, and Celery's discovery then tells the second there is nothing to
    import while the first is still importing (celery.loaders.base.autodiscover_tasks), so the
    second finds its task missing: a 500 after the commit, and the task never sent."""

    _importing = threading.Lock()

    def import_default_modules(self):
        with self._importing:
            return super().import_default_modules()


app = Celery("cimolt", loader="cimolt.celery:Loader")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "control_folder")


def _folders_make(options: dict) -> None:
    for key in FOLDER_OPTIONS:
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@signals.worker_init.connect
def _broker_folders_make(sender, **kwargs) -> None:
    """A worker on the file broker makes its folders as it starts: its beat keeps its schedule
    there and opens it before the worker takes its first message."""
    if app.conf.broker_url.startswith("filesystem://"):
        _folders_make(app.conf.broker_transport_options)


class FilesystemChannel(filesystem.Channel):
    """kombu's file transport, with two changes so that no message is lost or broken:

    - a message is written under a name no worker looks at and then renamed into the queue, so a
      worker never takes a file that is still being written (kombu's own writer creates the file
      first and fills it after: a worker reading in between takes an empty file, which kombu
      cannot decode, celery/kombu#1551);
    - the folders are made when first used, instead of failing until someone makes them."""

    def __init__(self, connection, **kwargs):
        _folders_make(connection.client.transport_options)
        super().__init__(connection, **kwargs)

    def _put(self, queue, payload, **kwargs):
        # The name kombu takes messages by, in the order they were sent: <time>_<id>.<queue>.msg
        # (nanoseconds since 1970, zero-padded so that the names sort by time; kombu's own
        # milliseconds leave messages sent within one millisecond in random order).
        name = f"{time.time_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        partial = os.path.join(self.data_folder_out, f".{uuid.uuid4()}.partial")
        try:
            with open(partial, "wb") as file:
                file.write(dumps(payload).encode())
            os.replace(partial, os.path.join(self.data_folder_out, name))
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add a message to {queue!r}: {error}") from error


class FilesystemTransport(filesystem.Transport):
    Channel = FilesystemChannel
    # A folder has no host: without this kombu warns on every start that none was given.
    default_connection_params = {"hostname": None, "port": None}
