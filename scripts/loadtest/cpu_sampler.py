"""Where the machine's CPU goes during the load test, for report.py: once a second, the CPU
seconds used so far by gunicorn, the Celery worker, locust, PostgreSQL (this database's
connections and the rest), Redis, and the machine as a whole. Whatever else runs on the
machine shows up as "other" (the machine's total less these).

    cpu_sampler.py OUT --gunicorn PID --celery PID [--interval 1]

Runs until it is sent SIGTERM.
"""

import argparse
import json
import signal
import sys
import time

import psutil

running = True


def stop(*_args):
    global running
    running = False


def group_of(proc: psutil.Process, gunicorn: set, celery: set, me: int) -> str | None:
    pid = proc.info["pid"]
    if pid == me:
        return "sampler"
    if pid in gunicorn:
        return "gunicorn"
    if pid in celery:
        return "celery"
    name = proc.info["name"] or ""
    cmdline = " ".join(proc.info["cmdline"] or [])
    if "locust" in cmdline and "loadtest/locustfile.py" in cmdline:
        return "locust"
    if name == "postgres" or cmdline.startswith("postgres"):
        return "postgres (load test)" if "cimolt_loadtest" in cmdline else "postgres (other)"
    if name.startswith("redis-server") and ":6379" in cmdline:
        return "redis"
    return None


def family(pid: int) -> set[int]:
    try:
        parent = psutil.Process(pid)
        return {pid} | {child.pid for child in parent.children(recursive=True)}
    except psutil.Error:
        return set()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--gunicorn", type=int, required=True)
    parser.add_argument("--celery", type=int, required=True)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    me = psutil.Process().pid
    # CPU of processes that have ended is kept, so a group's count never goes down.
    ended: dict[str, float] = {}
    last: dict[int, tuple[str, float]] = {}
    with open(args.out, "a", buffering=1) as out:
        while running:
            gunicorn, celery = family(args.gunicorn), family(args.celery)
            totals: dict[str, float] = dict(ended)
            seen = {}
            for proc in psutil.process_iter(["pid", "name", "cmdline", "cpu_times"]):
                group = group_of(proc, gunicorn, celery, me)
                times = proc.info["cpu_times"]
                if group is None or times is None:
                    continue
                used = times.user + times.system
                seen[proc.info["pid"]] = (group, used)
                totals[group] = totals.get(group, 0.0) + used
            for pid, (group, used) in last.items():
                if pid not in seen:
                    ended[group] = ended.get(group, 0.0) + used
                    totals[group] = totals.get(group, 0.0) + used
            last = seen
            machine = psutil.cpu_times()
            busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
            record = {"t": time.time(), "busy": busy, "cores": psutil.cpu_count(), **totals}
            out.write(json.dumps(record) + "\n")
            time.sleep(args.interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
