"""gunicorn settings of the load test: the command line of run.sh sets bind, workers and
threads; this file only adds a server-side timing of every request, for report.py.

Per request, in the worker that handles it: the wall time from the request being read to the
response being written, and the CPU time of the handling thread (time.thread_time: the
Python work of Django and the view, not PostgreSQL's or Redis's). One line per request is
appended to LOADTEST_SERVER_TIMINGS.<pid> as "unix time,method,path,status,wall ms,cpu ms".
Costs a few microseconds a request; nothing of the application changes.
"""

import os
import time

_path = os.environ.get("LOADTEST_SERVER_TIMINGS")
_files = {}


def post_fork(server, worker):
    if _path:
        _files["out"] = open(f"{_path}.{os.getpid()}", "a", buffering=1)  # noqa: SIM115


def pre_request(worker, req):
    req.loadtest_started = (time.time(), time.perf_counter(), time.thread_time())


def post_request(worker, req, environ, resp):
    out = _files.get("out")
    started = getattr(req, "loadtest_started", None)
    if out is None or started is None:
        return
    wall = (time.perf_counter() - started[1]) * 1000
    cpu = (time.thread_time() - started[2]) * 1000
    status = getattr(resp, "status_code", None) or str(getattr(resp, "status", "0")).split()[0]
    out.write(f"{started[0]:.3f},{req.method},{req.path},{status},{wall:.2f},{cpu:.2f}\n")


def worker_exit(server, worker):
    out = _files.pop("out", None)
    if out is not None:
        out.close()
