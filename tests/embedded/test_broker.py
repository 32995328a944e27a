"""The pieces of cimolt/celery.py that `make run` relies on, each on its own: the file broker
and the loader. No server, no database."""

import threading
import time

import celery.loaders.base
from celery import Celery
from kombu import Connection, Exchange, Queue

from cimolt.celery import FilesystemTransport


def connection(folder) -> Connection:
    return Connection(
        "filesystem://",
        transport=FilesystemTransport,
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        },
    )


def test_the_file_broker_makes_its_folders_and_hands_out_whole_messages_in_order(tmp_path):
    folder = tmp_path / "not-made-yet"
    queue = Queue("probe", Exchange("probe"), routing_key="probe")
    with connection(folder) as conn:
        producer = conn.Producer()
        for number in range(3):
            producer.publish(
                {"number": number},
                exchange=queue.exchange,
                routing_key="probe",
                declare=[queue],
                serializer="json",
            )
        # Only whole messages are in the queue: nothing half written is left beside them.
        names = sorted(path.name for path in (folder / "queue").iterdir())
        assert len(names) == 3
        assert all(name.endswith(".probe.msg") for name in names)
        received = []
        with conn.Consumer(
            queue, callbacks=[lambda body, message: (received.append(body), message.ack())]
        ):
            while len(received) < 3:
                conn.drain_events(timeout=5)
    assert received == [{"number": 0}, {"number": 1}, {"number": 2}]
    assert list((folder / "queue").iterdir()) == []


def test_a_second_thread_importing_the_task_modules_waits_for_the_first(monkeypatch):
    """Without the lock, Celery's discovery answers a second thread at once, with nothing,
    while the first is still importing; the second then finds its task missing."""
    importing = threading.Event()
    real = celery.loaders.base.find_related_module

    def slow_import(package, related_name):
        importing.set()
        time.sleep(0.3)
        return real(package, related_name)

    monkeypatch.setattr(celery.loaders.base, "find_related_module", slow_import)
    app = Celery("probe", loader="cimolt.celery:Loader", fixups=[], set_as_current=False)
    app.autodiscover_tasks(["common"])
    finished = {}

    def load(name):
        app.loader.import_default_modules()
        finished[name] = time.monotonic()

    first = threading.Thread(target=load, args=("first",))
    first.start()
    assert importing.wait(timeout=10)
    second = threading.Thread(target=load, args=("second",))
    second.start()
    first.join(timeout=10)
    second.join(timeout=10)
    assert finished["second"] > finished["first"]
