"""gunicorn settings of the load test: the command line of run.sh sets bind, workers and
threads; this file only adds a server-side timing of every request, for report.py.

Per request, in the worker that handles it: the wall time from the request being read to the
response being written, the CPU time of the handling thread (time.thread_time: the Python work
of Django and the view, not PostgreSQL's or Redis's), and the SQL queries sent through
Django's connection with the time waited for them (a connection.execute_wrappers entry, as
Django's own query counting uses; a commit is not a query and is not in it). One line per
request is appended to LOADTEST_SERVER_TIMINGS.<pid> as
"unix time,method,path,status,wall ms,cpu ms,queries,sql ms". Costs a few microseconds a
request and a query; nothing of the application changes.
"""

import os
import time

_path = os.environ.get("LOADTEST_SERVER_TIMINGS")
_files = {}
_sql = {"queries": 0, "seconds": 0.0}


def _count_query(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        _sql["queries"] += 1
        _sql["seconds"] += time.perf_counter() - started


def _watch_queries():
    # The connection object of this (the only) thread of a sync worker outlives the database
    # connection it opens and closes, and keeps its wrappers: installed once per worker.
    from django.db import connections

    wrappers = connections["default"].execute_wrappers
    if _count_query not in wrappers:
        wrappers.append(_count_query)


def post_fork(server, worker):
    if _path:
        _files["out"] = open(f"{_path}.{os.getpid()}", "a", buffering=1)  # noqa: SIM115


def pre_request(worker, req):
    if _path:
        _watch_queries()
    _sql.update(queries=0, seconds=0.0)
    req.loadtest_started = (time.time(), time.perf_counter(), time.thread_time())


def post_request(worker, req, environ, resp):
    out = _files.get("out")
    started = getattr(req, "loadtest_started", None)
    if out is None or started is None:
        return
    wall = (time.perf_counter() - started[1]) * 1000
    cpu = (time.thread_time() - started[2]) * 1000
    status = getattr(resp, "status_code", None) or str(getattr(resp, "status", "0")).split()[0]
    out.write(
        f"{started[0]:.3f},{req.method},{req.path},{status},{wall:.2f},{cpu:.2f},"
        f"{_sql['queries']},{_sql['seconds'] * 1000:.2f}\n"
    )


def worker_exit(server, worker):
    out = _files.pop("out", None)
    if out is not None:
        out.close()
