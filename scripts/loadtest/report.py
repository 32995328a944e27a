"""The load test's report (scripts/loadtest/README.md): reads the samples locust wrote (one
line per request, client side) and the server-side timings gunicorn_conf.py wrote, writes
reports/loadtest.md and exits 1 when a target is missed.

Figures are taken over each phase's measured window: from the moment every simulated user has
logged in until the window's end. Failures are counted over the whole run, ramp-up included.
Phase 1's back-to-back segments (pings, then saves, in rounds) are each measured from SETTLE
seconds after they began, so that no request of the segment before is still being answered.
"""

import argparse
import csv
import json
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TARGETS = {"save answer": 200.0, "results page": 500.0}  # p95, milliseconds
# Under saturation, on the same server in the same run: saves a second ÷ pings a second.
THROUGHPUT_TARGET = 0.5
SETTLE = 2.0  # seconds at the start of each back-to-back segment that are not measured
# The load test's own processes, whose CPU a request costs: the web workers, this database's
# PostgreSQL backends, Redis (cache, rate limits) and locust, the load generator.
STACK = ("gunicorn", "postgres (load test)", "redis", "locust")
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
# The client's name of each back-to-back request, and the server's (SERVER_NAMES).
SATURATED = {"ping": ("ping (max)", "ping"), "save": ("save (max)", "save answer")}
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


@dataclass(frozen=True)
class Segment:
    """One back-to-back segment of phase 1: what was asked ("ping" or "save"), in which
    round, and the measured part of it (from SETTLE seconds after its start)."""

    kind: str
    round: int
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


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

    def segments(self) -> list[Segment]:
        """Phase 1's back-to-back segments, in the order they ran."""
        starts = sorted(
            (when, label.split()[1], int(label.split()[2]))
            for label, when in self.markers.items()
            if label.startswith("segment ")
        )
        ends = [when for when, _k, _r in starts[1:]] + [self.end]
        return [
            Segment(kind, number, when + SETTLE, end)
            for (when, kind, number), end in zip(starts, ends, strict=True)
            if end is not None and end > when + SETTLE
        ]

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


@dataclass(frozen=True)
class Timing:
    """One request as gunicorn_conf.py timed it in the worker."""

    when: float
    name: str
    status: int
    wall: float  # ms
    cpu: float  # ms, the handling thread's
    queries: float  # SQL queries through Django's connection (nan in older files)
    sql: float  # ms spent waiting for them


def server_timings(paths: list[Path]) -> list[Timing]:
    rows = []
    for path in paths:
        for line in path.read_text().splitlines():
            parts = line.split(",")
            if len(parts) not in (6, 8):
                continue
            when, method, url, status, wall, cpu = parts[:6]
            queries, sql = parts[6:] if len(parts) == 8 else ("nan", "nan")
            name = next(
                (n for m, pattern, n in SERVER_NAMES if m == method and pattern.match(url)), None
            )
            if name:
                rows.append(
                    Timing(
                        float(when),
                        name,
                        int(status or 0),
                        float(wall),
                        float(cpu),
                        float(queries),
                        float(sql),
                    )
                )
    return rows


@dataclass(frozen=True)
class Cost:
    """Mean server-side cost of one kind of request over a stretch of time."""

    count: int
    wall: float
    cpu: float
    queries: float
    sql: float


def server_cost(rows: list[Timing], name, start, end) -> Cost:
    chosen = [r for r in rows if r.name == name and start <= r.when < end]
    return Cost(
        len(chosen),
        mean(r.wall for r in chosen),
        mean(r.cpu for r in chosen),
        mean(r.queries for r in chosen),
        mean(r.sql for r in chosen),
    )


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


def elsewhere(use: dict[str, float]) -> float:
    """The share of the machine that processes other than the load test's used."""
    return use.get("other", 0.0) + use.get("postgres (other)", 0.0)


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


HEADER = ["request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms"]
HEADER.append("failures")


# --- Phase 1: the baseline and the saturation -------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One back-to-back segment as measured: client side, server side, the machine's CPU."""

    segment: Segment
    latencies: list[float]
    cost: Cost
    cpu: dict[str, float]
    cores: int

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.segment.seconds

    def cpu_seconds(self, groups: tuple[str, ...]) -> float:
        """CPU seconds the process groups used in the segment (nan when not sampled)."""
        if not self.cpu:
            return math.nan
        share = sum(self.cpu.get(g, 0.0) for g in groups)
        return share / 100 * self.cores * self.segment.seconds

    def cpu_per_request(self, *groups: str) -> float:
        """Milliseconds of CPU of process groups per request answered in the segment."""
        if not self.latencies:
            return math.nan
        return 1000 * self.cpu_seconds(groups) / len(self.latencies)


@dataclass(frozen=True)
class Baseline:
    paced: list[float]
    paced_window: float
    paced_cost: Cost
    split: float | None
    measured: list[Measured]

    def pooled_rps(self, kind: str) -> float:
        chosen = [m for m in self.measured if m.segment.kind == kind]
        seconds = sum(m.segment.seconds for m in chosen)
        return sum(len(m.latencies) for m in chosen) / seconds if seconds else math.nan

    def pooled_cpu(self, kind: str) -> float:
        """The load test's CPU (STACK) in ms per request of a kind, over all its segments."""
        chosen = [m for m in self.measured if m.segment.kind == kind]
        requests = sum(len(m.latencies) for m in chosen)
        return 1000 * sum(m.cpu_seconds(STACK) for m in chosen) / requests if requests else math.nan

    @property
    def cpu_ratio(self) -> float:
        """The ratio were both bound by the load test's own CPU: ping's cost ÷ the save's."""
        return self.pooled_cpu("ping") / self.pooled_cpu("save")

    @property
    def ping_rps(self) -> float:
        return self.pooled_rps("ping")

    @property
    def save_rps(self) -> float:
        return self.pooled_rps("save")

    @property
    def ratio(self) -> float:
        ping, save = self.ping_rps, self.save_rps
        return save / ping if ping and not math.isnan(ping) else math.nan

    def rounds(self) -> list[tuple[int, Measured, Measured]]:
        """Per round with both segments measured: its number, the pings and the saves."""
        found = []
        for number in sorted({m.segment.round for m in self.measured}):
            by_kind = {m.segment.kind: m for m in self.measured if m.segment.round == number}
            if "ping" in by_kind and "save" in by_kind:
                found.append((number, by_kind["ping"], by_kind["save"]))
        return found

    def round_ratios(self) -> list[float]:
        return [save.rps / ping.rps if ping.rps else math.nan for _n, ping, save in self.rounds()]


def cores_of(path: Path | None) -> int:
    if path is None or not path.exists():
        return 0
    for line in path.read_text().splitlines():
        if line.strip():
            return int(json.loads(line).get("cores", 0))
    return 0


def baseline(one: Phase, meta: dict, server: list[Timing], cpu: Path | None) -> Baseline:
    split = one.start + meta["ping_paced"] if one.start is not None else None
    paced = one.in_window("ping", one.start, split) if split else []
    paced_cost = (
        server_cost(server, "ping", one.start, split) if split else Cost(0, *[math.nan] * 4)
    )
    cores = cores_of(cpu)
    measured = []
    for segment in one.segments():
        client, server_name = SATURATED[segment.kind]
        measured.append(
            Measured(
                segment,
                one.in_window(client, segment.start, segment.end),
                server_cost(server, server_name, segment.start, segment.end),
                cpu_use(cpu, segment.start, segment.end),
                cores,
            )
        )
    return Baseline(paced, (split - one.start) if split else 0.0, paced_cost, split, measured)


def saturation_lines(base: Baseline, failures: dict[str, list[str]]) -> list[str]:
    out = []
    rows = [
        stats_row(
            f"ping, paced ({base.paced_window:.0f} s)",
            base.paced,
            base.paced_window,
            len(failures.get("ping", [])),
        )
    ]
    counted = set()
    for m in base.measured:
        client, _server = SATURATED[m.segment.kind]
        # A kind's failures over the whole phase, on its first row.
        failed = 0 if client in counted else len(failures.get(client, []))
        counted.add(client)
        rows.append(
            stats_row(
                f"{client}, round {m.segment.round} ({m.segment.seconds:.0f} s)",
                m.latencies,
                m.segment.seconds,
                failed,
            )
        )
    out += table(HEADER, rows)
    out += [
        "",
        "Failures of the back-to-back requests are counted over the whole phase, on the first "
        "row of each kind.",
        "",
        f"Server side, paced: {fmt(base.paced_cost.wall, 1)} ms wall, "
        f"{fmt(base.paced_cost.cpu, 1)} ms CPU a ping.",
        "",
        "### Saturation: /ping and the save side by side",
        "",
        "The same 50 users on the same server, in turns: pings back to back, then answers "
        "saved back to back (each user in its own scan, as autosave.js saves them: JSON "
        f"answer, version taken over), {len(base.rounds())} rounds. Each segment is "
        f"measured from {SETTLE:.0f} s after it began.",
        "",
    ]
    ratio_rows = []
    for (number, ping, save), ratio in zip(base.rounds(), base.round_ratios(), strict=True):
        ping_cpu, save_cpu = ping.cpu_per_request(*STACK), save.cpu_per_request(*STACK)
        ratio_rows.append(
            [
                f"round {number}",
                fmt(ping.rps, 1),
                fmt(save.rps, 1),
                fmt(ratio, 3),
                f"{fmt(elsewhere(ping.cpu))} %, {fmt(elsewhere(save.cpu))} %",
                f"{fmt(ping_cpu, 1)}, {fmt(save_cpu, 1)}",
                fmt(ping_cpu / save_cpu, 3),
            ]
        )
    ratio_rows.append(
        [
            "**all rounds**",
            f"**{fmt(base.ping_rps, 1)}**",
            f"**{fmt(base.save_rps, 1)}**",
            f"**{fmt(base.ratio, 3)}**",
            "",
            f"{fmt(base.pooled_cpu('ping'), 1)}, {fmt(base.pooled_cpu('save'), 1)}",
            fmt(base.cpu_ratio, 3),
        ]
    )
    out += table(
        [
            "",
            "ping (max) req/s",
            "save (max) req/s",
            "**save ÷ ping**",
            "others' use (ping, save)",
            "CPU ms/req (ping, save)",
            "ping CPU ÷ save CPU",
        ],
        ratio_rows,
    )
    out += [
        "",
        "The verdict is on **save ÷ ping**, both measured. The machine is shared: what other "
        'processes used in a segment ("others\' use") is CPU the load test did not get, and '
        "it differs between segments. The last column depends on it much less: the load "
        "test's own CPU (gunicorn, this database's PostgreSQL, Redis, locust) per ping ÷ per "
        "save, the ratio to expect were both bound by that CPU alone.",
    ]
    out += [
        "",
        "Where the time of one request goes, per segment: inside the gunicorn worker (wall; "
        "the handling thread's CPU; SQL queries and the time waited for them), and the CPU "
        "the machine's processes used per request answered (the sampler's shares ÷ the "
        "requests; PostgreSQL's work is in its own column, locust's is the load generator's).",
        "",
    ]
    cost_rows = []
    for m in base.measured:
        client, _server = SATURATED[m.segment.kind]
        cost_rows.append(
            [
                f"{client}, round {m.segment.round}",
                fmt(m.rps, 1),
                fmt(percentile(m.latencies, 95)),
                fmt(m.cost.wall, 1),
                fmt(m.cost.cpu, 1),
                fmt(m.cost.queries, 1),
                fmt(m.cost.sql, 1),
                fmt(m.cpu_per_request("gunicorn"), 1),
                fmt(m.cpu_per_request("postgres (load test)"), 1),
                fmt(m.cpu_per_request("locust"), 1),
                fmt(m.cpu.get("machine", math.nan)) + " %",
                fmt(elsewhere(m.cpu)) + " %",
            ]
        )
    out += table(
        [
            "segment",
            "req/s",
            "p95 ms",
            "server wall ms",
            "server CPU ms",
            "SQL queries",
            "SQL ms",
            "gunicorn CPU ms/req",
            "PostgreSQL CPU ms/req",
            "locust CPU ms/req",
            "machine busy",
            "others' use",
        ],
        cost_rows,
    )
    return out


# --- Phase 2: the users -------------------------------------------------------------------------


def phase_two_rows(two: Phase, names: list[str], whole) -> tuple[list[list[str]], int]:
    failures = two.failures()
    rows, everything = [], []
    for name in names:
        values = two.in_window(name)
        everything += values
        if name in LOGIN_FLOW and whole[0] and whole[1]:
            # Most logins are the first ones, in the ramp-up: these rows cover the whole phase.
            values = two.in_window(name, *whole)
            label, span = f"{name} ¹", whole[1] - whole[0]
        else:
            label, span = name, two.window
        rows.append(stats_row(label, values, span, len(failures.get(name, []))))
    total_failures = sum(len(v) for v in failures.values())
    rows.append([f"**{c}**" for c in stats_row("total", everything, two.window, total_failures)])
    return rows, total_failures


def ratio_rows(two: Phase, names, whole, server, base: Baseline) -> list[list[str]]:
    floor_latency = mean(base.paced)
    ping_cpu = base.paced_cost.cpu
    rows = []
    for name in names:
        start, end = two.start or 0, two.end or 0
        if name in LOGIN_FLOW and whole[0] and whole[1]:
            start, end = whole  # as in the table above
        values = two.in_window(name, start, end)
        cost = server_cost(server, name, start, end)
        latency_ratio = mean(values) / floor_latency if values and floor_latency else math.nan
        rps = len(values) / (end - start) if end > start else math.nan
        times = cost.cpu / ping_cpu if ping_cpu else math.nan
        measured = base.ratio if name == SATURATED["save"][1] else math.nan
        rows.append(
            [
                name,
                fmt(latency_ratio, 1) + "×",
                fmt(100 * rps / base.ping_rps, 2) + " %",
                fmt(cost.wall, 1),
                fmt(cost.cpu, 1),
                fmt(cost.queries, 1),
                fmt(times, 1) + "×",
                f"**{fmt(measured, 3)}**" if not math.isnan(measured) else "–",
                fmt(1 / times, 3) if times else "–",
                fmt(base.ping_rps / times) if times else "–",
            ]
        )
    return rows


# --- The report -----------------------------------------------------------------------------------


def log_errors(path: Path | None) -> list[str]:
    if not path or not path.exists():
        return []
    return [
        line
        for line in path.read_text(errors="replace").splitlines()
        if "Traceback" in line or "Internal Server Error" in line or "[ERROR]" in line
    ]


def verdict(meta, one, two, server, base: Baseline, logged: list[str]) -> list[tuple]:
    problems = []
    if one.start is None:
        problems.append("phase 1 never had all its users logged in")
    if two.start is None:
        problems.append("phase 2 never had all its users logged in")
    if two.window < meta["window"] - 1:
        problems.append(
            f"phase 2 measured {two.window:.0f} s, fewer than the {meta['window']:.0f} s"
        )
    if len(base.rounds()) < meta["rounds"]:
        problems.append(
            f"phase 1 measured {len(base.rounds())} rounds of pings and saves back to "
            f"back, fewer than the {meta['rounds']}"
        )
    server_errors = [r for r in server if r.status >= 500]
    failed = sum(len(v) for v in one.failures().values())
    failed += sum(len(v) for v in two.failures().values())
    errors = failed + len(server_errors)
    checks = [
        (
            "no errors (failed requests in both phases, ramp-up included; HTTP 5xx at the server)",
            errors == 0 and not logged,
            f"{errors} failed requests, {len(server_errors)} 5xx, "
            f"{len(logged)} error lines in gunicorn's log",
        )
    ]
    for name, limit in TARGETS.items():
        p95 = percentile(two.in_window(name), 95)
        checks.append((f"{name}: p95 under {limit:.0f} ms", p95 < limit, f"p95 {fmt(p95)} ms"))
    rounds = ", ".join(fmt(r, 3) for r in base.round_ratios()) or "–"
    checks.append(
        (
            f"save answer: throughput under saturation at least {THROUGHPUT_TARGET} of /ping's "
            "(same server, same run)",
            base.ratio >= THROUGHPUT_TARGET,
            f"{fmt(base.save_rps, 1)} ÷ {fmt(base.ping_rps, 1)} req/s = "
            f"{fmt(base.ratio, 3)} (per round: {rounds})",
        )
    )
    checks.append(
        (
            f"{meta['users']} users for at least {meta['window']:.0f} s",
            not problems,
            "; ".join(problems) or f"{two.window:.0f} s measured",
        )
    )
    return checks


def introduction(meta: dict) -> list[str]:
    when = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    server_desc = (
        f"gunicorn {meta['gunicorn']}, {meta['workers']} {meta['worker_class']} workers"
        + (f" × {meta['threads']} threads" if meta["threads"] > 1 else "")
    )
    commit = meta.get("commit")
    if commit and meta.get("dirty"):
        commit += f" with uncommitted changes in {', '.join(meta['dirty'])}"
    return [
        f"Measured {when} on {meta['cores']} cores ({meta['cpu']}), {meta['memory_gb']} GB;"
        f" load average before the run {', '.join(f'{x:.2f}' for x in meta['load_before'])}"
        " (1, 5, 15 min)."
        f" {server_desc}, one Celery worker; PostgreSQL {meta['postgresql']}, Redis;"
        f" Django {meta['django']}, Python {meta['python']}, locust {meta['locust']}"
        + (f"; commit {commit}" if commit else "")
        + ". Production settings (DEBUG off, hashed static files) over plain HTTP on"
        f" {meta['host']}."
    ]


def failure_lines(one: Phase, two: Phase, server, logged) -> list[str]:
    failures = {f"phase 1: {k}": v for k, v in one.failures().items()}
    failures.update({f"phase 2: {k}": v for k, v in two.failures().items()})
    server_errors = [r for r in server if r.status >= 500]
    if not (failures or server_errors or logged):
        return []
    out = ["", "## Failures", ""]
    for name, reasons in failures.items():
        counted = defaultdict(int)
        for reason in reasons:
            counted[reason] += 1
        for reason, count in sorted(counted.items(), key=lambda x: -x[1]):
            out.append(f"- {name}: {count} × {reason}")
    for line in logged[:10]:
        out.append(f"- gunicorn log: `{line.strip()[:200]}`")
    return out


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
    base = baseline(one, meta, server, args.cpu)
    names = [n for n in ORDER if n in two.samples] + sorted(set(two.samples) - set(ORDER))
    whole = (two.markers.get("test_start"), two.end)
    rows_two, _failed = phase_two_rows(two, names, whole)
    ramp_logins = [
        ms for when, ms, _f, _r in two.samples.get("login", []) if two.start and when < two.start
    ]
    logged = log_errors(args.server_log)
    checks = verdict(meta, one, two, server, base, logged)
    passed = all(ok for _c, ok, _d in checks)
    phase_two_cpu = cpu_use(args.cpu, two.start, two.end)

    out = [f"# Load test — {'PASS' if passed else 'FAIL'}", "", *introduction(meta), ""]
    out += ["## Verdict", ""]
    out += [f"- {'PASS' if ok else '**FAIL**'} — {check}: {detail}" for check, ok, detail in checks]
    for what, use in [("phase 2's window", phase_two_cpu)] + [
        (f"the {m.segment.kind} segment of round {m.segment.round}", m.cpu) for m in base.measured
    ]:
        if elsewhere(use) > 10:
            out += [
                "",
                f"**Warning:** processes other than the load test's used {elsewhere(use):.0f} % "
                f"of the machine during {what}; these are not the figures of a quiet machine.",
            ]
    out += [
        "",
        f"## Phase 2: {meta['users']} users, {two.window:.0f} s measured",
        "",
        "Penvoerders filling in a scan of their own (log in, scan overview, section pages, "
        "answers saved one at a time as autosave.js does) and penvoerders opening their "
        "results (the page and its three SVG charts). Figures from the moment all users "
        "were logged in; failures over the whole phase.",
        "",
    ]
    out += table(HEADER, rows_two)
    out += ["", cpu_line(phase_two_cpu)]
    out += [
        "",
        "¹ Login form, login and the home page it leads to: over the whole phase "
        f"({fmt(whole[1] - whole[0] if whole[0] and whole[1] else math.nan)} s), ramp-up "
        f"included, with the {len(ramp_logins)} first logins while users were started; the "
        "total row counts them in the window only.",
        "",
        f"## Phase 1: the baseline and the saturation, {meta['users']} users",
        "",
        "`/ping` is a logged-in page with every middleware and the session but no template "
        "and no query of its own: the framework's floor. First paced like people (1–3 s "
        "apart: the latency floor), then in turns back to back: pings (the most requests a "
        "second the server answers at all: the throughput ceiling) and saves of an answer "
        "(the most saves a second), each segment "
        f"{meta['segment']:.0f} s.",
        "",
    ]
    out += saturation_lines(base, one.failures())
    out += ["", "Paced: " + cpu_line(cpu_use(args.cpu, one.start, base.split))]
    for m in base.measured:
        label = f"{SATURATED[m.segment.kind][0]}, round {m.segment.round}"
        out += ["", f"{label}: " + cpu_line(m.cpu)]
    out += [
        "",
        "## Relative to the baseline",
        "",
        f"- **latency ×**: the request's mean latency in phase 2 ÷ the paced ping's mean "
        f"latency ({fmt(mean(base.paced), 1)} ms).",
        f"- **share of ping max**: the request's req/s in phase 2 ÷ the back-to-back ping's "
        f"req/s ({fmt(base.ping_rps)} req/s, all rounds).",
        "- **server wall / CPU / SQL queries**: mean per request inside the gunicorn worker, "
        "from request read to response written; CPU is the handling thread's (Python: Django "
        "and the view; PostgreSQL's own work is not in it).",
        f"- **cost × ping**: the request's server CPU ÷ the paced ping's "
        f"({fmt(base.paced_cost.cpu, 1)} ms).",
        "- **throughput ratio**: measured — the request's req/s back to back ÷ /ping's back "
        "to back, on the same server in the same run (phase 1's saturation; the save only). "
        f"Target for the save: at least {THROUGHPUT_TARGET}.",
        "- **1 ÷ cost** and **≈ max req/s** (= 1 ÷ cost × the ping ceiling): an estimate for "
        "every request, assuming it is bound by the web workers' CPU as the ping is.",
        "",
    ]
    out += table(
        [
            "request",
            "latency ×",
            "share of ping max",
            "server wall ms",
            "server CPU ms",
            "SQL queries",
            "cost × ping",
            "throughput ratio",
            "1 ÷ cost",
            "≈ max req/s",
        ],
        ratio_rows(two, names, whole, server, base),
    )
    out += failure_lines(one, two, server, logged)
    out.append("")
    args.out.write_text("\n".join(out))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
