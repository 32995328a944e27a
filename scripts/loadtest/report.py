"""The load test's report (scripts/loadtest/README.md): reads the samples locust wrote (one
line per request, client side) and the server-side timings gunicorn_conf.py wrote, writes
reports/loadtest.md and exits 1 when a target is missed.

Figures are taken over each phase's measured window: from the moment every simulated user has
logged in until the window's end. Failures are counted over the whole run, ramp-up included.
"""

import argparse
import csv
import json
import math
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

TARGETS = {"save answer": 200.0, "results page": 500.0}  # p95, milliseconds
ORDER = [
    "login form",
    "login",
    "home",
    "scan overview",
    "section page",
    "save answer",
    "results page",
    "results chart",
    "logout form",
    "logout",
]
LOGIN_FLOW = ("login form", "login", "home")
# How gunicorn_conf.py's paths map onto the names locust gives its requests.
SERVER_NAMES = [
    ("GET", re.compile(r"^/ping$"), "ping"),
    ("GET", re.compile(r"^/accounts/login/$"), "login form"),
    ("POST", re.compile(r"^/accounts/login/$"), "login"),
    ("GET", re.compile(r"^/accounts/logout/$"), "logout form"),
    ("POST", re.compile(r"^/accounts/logout/$"), "logout"),
    ("GET", re.compile(r"^/$"), "home"),
    ("GET", re.compile(r"^/scan/[a-z0-9]+/\d+/$"), "scan overview"),
    ("GET", re.compile(r"^/scan/[a-z0-9]+/\d+/section/[\w-]+/$"), "section page"),
    ("POST", re.compile(r"^/scan/[a-z0-9]+/\d+/answer/[\w-]+/$"), "save answer"),
    ("GET", re.compile(r"^/benchmark/[a-z0-9]+/\d+/$"), "results page"),
    ("GET", re.compile(r"^/benchmark/[a-z0-9]+/\d+/\w+\.svg$"), "results chart"),
]


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else math.nan


class Phase:
    """One locust run's samples: requests per name, markers, failures."""

    def __init__(self, path: Path):
        self.samples = defaultdict(list)  # name -> [(start, ms, failed, reason)]
        self.markers = {}
        with path.open(newline="") as handle:
            for row in csv.reader(handle):
                if len(row) < 4:
                    continue
                when, name, value, failed = float(row[0]), row[1], row[2], row[3]
                if name.startswith("#"):
                    self.markers.setdefault(name[1:], when)
                    continue
                reason = row[4] if len(row) > 4 else ""
                self.samples[name].append((when, float(value), failed == "1", reason))
        self.start = self.markers.get("all_logged_in")
        self.end = self.markers.get("window_end") or self.markers.get("test_stop")

    @property
    def window(self) -> float:
        return (self.end - self.start) if self.start and self.end else 0.0

    def in_window(self, name: str, start=None, end=None) -> list[float]:
        start = self.start if start is None else start
        end = self.end if end is None else end
        if start is None or end is None:
            return []
        return [ms for when, ms, _f, _r in self.samples.get(name, []) if start <= when < end]

    def failures(self) -> dict[str, list[str]]:
        found = defaultdict(list)
        for name, rows in self.samples.items():
            for _when, _ms, failed, reason in rows:
                if failed:
                    found[name].append(reason)
        return found


def server_timings(paths: list[Path]) -> list[tuple[float, str, int, float, float]]:
    rows = []
    for path in paths:
        for line in path.read_text().splitlines():
            parts = line.split(",")
            if len(parts) != 6:
                continue
            when, method, url, status, wall, cpu = parts
            name = next(
                (n for m, pattern, n in SERVER_NAMES if m == method and pattern.match(url)), None
            )
            if name:
                rows.append((float(when), name, int(status or 0), float(wall), float(cpu)))
    return rows


def server_cost(rows, name, start, end) -> tuple[float, float]:
    chosen = [(wall, cpu) for when, n, _s, wall, cpu in rows if n == name and start <= when < end]
    return mean(w for w, _ in chosen), mean(c for _, c in chosen)


def cpu_use(path: Path | None, start, end) -> dict[str, float]:
    """Per process group, its share of the machine's CPU between start and end, in % of
    all cores; "machine" is everything, "other" what no group of ours accounts for."""
    if path is None or not path.exists() or start is None or end is None:
        return {}
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    inside = [r for r in records if start <= r["t"] <= end]
    if len(inside) < 2:
        return {}
    first, last = inside[0], inside[-1]
    capacity = (last["t"] - first["t"]) * last["cores"]
    groups = sorted(k for k in last if k not in ("t", "busy", "cores"))
    use = {g: 100 * (last.get(g, 0.0) - first.get(g, 0.0)) / capacity for g in groups}
    use["machine"] = 100 * (last["busy"] - first["busy"]) / capacity
    use["other"] = max(0.0, use["machine"] - sum(v for k, v in use.items() if k != "machine"))
    return use


def cpu_line(use: dict[str, float]) -> str:
    if not use:
        return "CPU use: not measured."
    parts = [f"{k} {v:.0f} %" for k, v in sorted(use.items(), key=lambda x: -x[1])]
    parts = [p for p in parts if not p.startswith("machine")]
    return (
        f"CPU use of the machine (all cores = 100 %): **{use['machine']:.0f} %** — "
        + ", ".join(parts)
        + "."
    )


def fmt(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def stats_row(name, values, window, failures):
    return [
        name,
        fmt(len(values)),
        fmt(len(values) / window if window else math.nan, 2),
        fmt(percentile(values, 50)),
        fmt(percentile(values, 95)),
        fmt(percentile(values, 99)),
        fmt(mean(values)),
        fmt(max(values) if values else math.nan),
        fmt(failures),
    ]


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meta", type=Path, required=True)
    parser.add_argument("--phase1", type=Path, required=True)
    parser.add_argument("--phase2", type=Path, required=True)
    parser.add_argument("--server", type=Path, nargs="*", default=[])
    parser.add_argument("--server-log", type=Path)
    parser.add_argument("--cpu", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    meta = json.loads(args.meta.read_text())
    one, two = Phase(args.phase1), Phase(args.phase2)
    server = server_timings(args.server)
    problems = []

    # --- Phase 1: the baseline -------------------------------------------------------------
    if one.start is None:
        problems.append("phase 1 never had all its users logged in")
        split = None
    else:
        split = one.start + meta["ping_paced"]
    paced = one.in_window("ping", one.start, split) if split else []
    maxed = one.in_window("ping (max)", split, one.end) if split else []
    paced_window = (split - one.start) if split else 0
    max_window = (one.end - split) if split and one.end else 0
    floor_latency = mean(paced)
    ceiling_rps = len(maxed) / max_window if max_window else math.nan
    ping_wall, ping_cpu = (
        server_cost(server, "ping", one.start, split) if split else (math.nan, math.nan)
    )
    one_failures = one.failures()

    # --- Phase 2: the users ------------------------------------------------------------------
    if two.start is None:
        problems.append("phase 2 never had all its users logged in")
    window = two.window
    if window < meta["window"] - 1:
        problems.append(f"phase 2 measured {window:.0f} s, fewer than the {meta['window']:.0f} s")
    two_failures = two.failures()
    names = [n for n in ORDER if n in two.samples] + sorted(set(two.samples) - set(ORDER))

    header = ["request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms"]
    header.append("failures")
    rows_two = []
    everything = []
    whole = (two.markers.get("test_start"), two.end)
    for name in names:
        values = two.in_window(name)
        everything += values
        if name in LOGIN_FLOW and whole[0] and whole[1]:
            # Most logins are the first ones, in the ramp-up: these rows cover the whole phase.
            values = two.in_window(name, *whole)
            label, span = f"{name} ¹", whole[1] - whole[0]
        else:
            label, span = name, window
        rows_two.append(stats_row(label, values, span, len(two_failures.get(name, []))))
    total_failures = sum(len(v) for v in two_failures.values())
    rows_two.append([f"**{c}**" for c in stats_row("total", everything, window, total_failures)])
    ramp_logins = [
        ms for when, ms, _f, _r in two.samples.get("login", []) if two.start and when < two.start
    ]

    rows_one = [
        stats_row(
            f"ping, paced ({paced_window:.0f} s)",
            paced,
            paced_window,
            len(one_failures.get("ping", [])),
        ),
        stats_row(
            f"ping (max), back to back ({max_window:.0f} s)",
            maxed,
            max_window,
            len(one_failures.get("ping (max)", [])),
        ),
    ]
    one_total_failures = sum(len(v) for v in one_failures.values())

    # --- Ratios to the baseline -------------------------------------------------------------
    ratio_rows = []
    for name in names:
        start, end = two.start or 0, two.end or 0
        if name in LOGIN_FLOW and whole[0] and whole[1]:
            start, end = whole  # as in the table above
        values = two.in_window(name, start, end)
        wall, cpu = server_cost(server, name, start, end)
        latency_ratio = mean(values) / floor_latency if values and floor_latency else math.nan
        rps = len(values) / (end - start) if end > start else math.nan
        cost = cpu / ping_cpu if ping_cpu else math.nan
        ratio_rows.append(
            [
                name,
                fmt(latency_ratio, 1) + "×",
                fmt(100 * rps / ceiling_rps, 2) + " %",
                fmt(wall, 1),
                fmt(cpu, 1),
                fmt(cost, 1) + "×",
                fmt(1 / cost, 3) if cost else "–",
                fmt(ceiling_rps / cost) if cost else "–",
            ]
        )

    # --- Verdict ----------------------------------------------------------------------------
    server_errors = [r for r in server if r[2] >= 500]
    log_errors = []
    if args.server_log and args.server_log.exists():
        log_errors = [
            line
            for line in args.server_log.read_text(errors="replace").splitlines()
            if "Traceback" in line or "Internal Server Error" in line or "[ERROR]" in line
        ]
    errors = one_total_failures + total_failures + len(server_errors)
    checks = [
        (
            "no errors (failed requests in both phases, ramp-up included; HTTP 5xx at the server)",
            errors == 0 and not log_errors,
            f"{errors} failed requests, {len(server_errors)} 5xx, "
            f"{len(log_errors)} error lines in gunicorn's log",
        )
    ]
    for name, limit in TARGETS.items():
        p95 = percentile(two.in_window(name), 95)
        checks.append((f"{name}: p95 under {limit:.0f} ms", p95 < limit, f"p95 {fmt(p95)} ms"))
    checks.append(
        (
            f"{meta['users']} users for at least {meta['window']:.0f} s",
            not problems,
            "; ".join(problems) or f"{window:.0f} s measured",
        )
    )
    passed = all(ok for _c, ok, _d in checks)
    phase_two_cpu = cpu_use(args.cpu, two.start, two.end)

    when = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    server_desc = (
        f"gunicorn {meta['gunicorn']}, {meta['workers']} {meta['worker_class']} workers"
        + (f" × {meta['threads']} threads" if meta["threads"] > 1 else "")
    )
    out = [
        f"# Load test — {'PASS' if passed else 'FAIL'}",
        "",
        f"Measured {when} on {meta['cores']} cores ({meta['cpu']}), {meta['memory_gb']} GB;"
        f" load average before the run {', '.join(f'{x:.2f}' for x in meta['load_before'])}"
        " (1, 5, 15 min)."
        f" {server_desc}, one Celery worker; PostgreSQL {meta['postgresql']}, Redis;"
        f" Django {meta['django']}, Python {meta['python']}, locust {meta['locust']}"
        + (f"; commit {meta['commit']}" if meta.get("commit") else "")
        + ". Production settings (DEBUG off, hashed static files) over plain HTTP on"
        f" {meta['host']}.",
        "",
        "## Verdict",
        "",
    ]
    out += [f"- {'PASS' if ok else '**FAIL**'} — {check}: {detail}" for check, ok, detail in checks]
    busy_elsewhere = phase_two_cpu.get("other", 0.0) + phase_two_cpu.get("postgres (other)", 0.0)
    if busy_elsewhere > 10:
        out += [
            "",
            f"**Warning:** processes other than the load test's used {busy_elsewhere:.0f} % of "
            "the machine during phase 2's window; these are not the figures of a quiet machine.",
        ]
    out += [
        "",
        f"## Phase 2: {meta['users']} users, {window:.0f} s measured",
        "",
        "Penvoerders filling in a scan of their own (log in, scan overview, section pages, "
        "answers saved one at a time as autosave.js does) and penvoerders opening their "
        "results (the page and its three SVG charts). Figures from the moment all users "
        "were logged in; failures over the whole phase.",
        "",
    ]
    out += table(header, rows_two)
    out += ["", cpu_line(phase_two_cpu)]
    out += [
        "",
        "¹ Login form, login and the home page it leads to: over the whole phase "
        f"({fmt(whole[1] - whole[0] if whole[0] and whole[1] else math.nan)} s), ramp-up "
        f"included, with the {len(ramp_logins)} first logins while users were started; the "
        "total row counts them in the window only.",
    ]
    out += [
        "",
        f"## Phase 1: the baseline, {meta['users']} users on /ping",
        "",
        "`/ping` is a logged-in page with every middleware and the session but no template "
        "and no query of its own: the framework's floor. First paced like people (1–3 s "
        "apart: the latency floor), then back to back (the most requests a second the "
        "server answers at all: the throughput ceiling).",
        "",
    ]
    out += table(header, rows_one)
    out += [
        "",
        f"Server side, paced: {fmt(ping_wall, 1)} ms wall, {fmt(ping_cpu, 1)} ms CPU a ping.",
        "",
        "Paced: " + cpu_line(cpu_use(args.cpu, one.start, split)),
        "",
        "Back to back: " + cpu_line(cpu_use(args.cpu, split, one.end)),
        "",
        "## Relative to the baseline",
        "",
        f"- **latency ×**: the request's mean latency in phase 2 ÷ the paced ping's mean "
        f"latency ({fmt(floor_latency, 1)} ms).",
        f"- **share of ping max**: the request's req/s in phase 2 ÷ the back-to-back ping's "
        f"req/s ({fmt(ceiling_rps)} req/s).",
        "- **server wall / CPU**: mean per request inside the gunicorn worker, from request "
        "read to response written; CPU is the handling thread's (Python: Django and the view; "
        "PostgreSQL's own work is not in it).",
        f"- **cost × ping**: the request's server CPU ÷ the ping's ({fmt(ping_cpu, 1)} ms). "
        "**Throughput ratio** = 1 ÷ cost: the share of the framework's floor rate this "
        "request can be served at, and **≈ max req/s** = that × the ping ceiling — an "
        "estimate, assuming the request is bound by the web workers' CPU as the ping is.",
        "",
    ]
    out += table(
        [
            "request",
            "latency ×",
            "share of ping max",
            "server wall ms",
            "server CPU ms",
            "cost × ping",
            "throughput ratio",
            "≈ max req/s",
        ],
        ratio_rows,
    )
    failures = {**{f"phase 1: {k}": v for k, v in one_failures.items()}}
    failures.update({f"phase 2: {k}": v for k, v in two_failures.items()})
    if failures or server_errors or log_errors:
        out += ["", "## Failures", ""]
        for name, reasons in failures.items():
            counted = defaultdict(int)
            for reason in reasons:
                counted[reason] += 1
            for reason, count in sorted(counted.items(), key=lambda x: -x[1]):
                out.append(f"- {name}: {count} × {reason}")
        for line in log_errors[:10]:
            out.append(f"- gunicorn log: `{line.strip()[:200]}`")
    out.append("")
    args.out.write_text("\n".join(out))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
