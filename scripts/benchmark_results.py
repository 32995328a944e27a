"""Benchmark of the results computations (issue 5): scores and peer statistics for 342
municipalities x 5 editions x 60 questions, in memory, as `recompute_scores` and the results
pages compute them. Not a test: run it and write the figures in docs/benchmarks.md.

    .venv/bin/python scripts/benchmark_results.py
"""

import os
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cimolt.settings")

import django

django.setup()

from benchmark.scoring import ScoredQuestion, scores  # noqa: E402
from benchmark.statistics import peer_summaries  # noqa: E402
from monitor.dimensions import ALL_TAGS, Level  # noqa: E402

MUNICIPALITIES, EDITIONS, QUESTIONS, REGIONS = 342, 5, 60, 40
MIN_GROUP_SIZE = 5


def questionnaire(rng):
    tags = sorted(ALL_TAGS)
    return [
        ScoredQuestion(
            key=f"q{i}",
            weight=rng.randint(1, 3),
            level=rng.choice(Level.values),
            tags=tuple(rng.sample(tags, rng.randint(1, 3))),
            max_points=Decimal(rng.choice([1, 2, 3, 4])),
        )
        for i in range(QUESTIONS)
    ]


def answers(rng, questions):
    return {
        q.key: Decimal(rng.randint(0, int(q.max_points))) for q in questions if rng.random() > 0.05
    }


def main():
    rng = random.Random(2026)  # noqa: S311  (synthetic data)
    data = []
    for _ in range(EDITIONS):
        questions = questionnaire(rng)
        data.append((questions, [answers(rng, questions) for _ in range(MUNICIPALITIES)]))
    region = [i % REGIONS for i in range(MUNICIPALITIES)]

    start = time.perf_counter()
    all_scores = [[scores(questions, points) for points in scans] for questions, scans in data]
    scoring = time.perf_counter() - start

    start = time.perf_counter()
    summaries = 0
    for edition_scores in all_scores:
        by_dimension = defaultdict(list)
        for municipality, result in enumerate(edition_scores):
            for dimension, score in result.items():
                by_dimension[dimension].append((municipality, score))
        for members in by_dimension.values():
            # All participants, and each region: every member against the others of its group.
            groups = [[score for _, score in members]]
            per_region = defaultdict(list)
            for municipality, score in members:
                per_region[region[municipality]].append(score)
            groups += list(per_region.values())
            for group in groups:
                summaries += len(peer_summaries(group, min_size=MIN_GROUP_SIZE))
    statistics_time = time.perf_counter() - start

    scans = MUNICIPALITIES * EDITIONS
    print(f"{MUNICIPALITIES} municipalities x {EDITIONS} editions x {QUESTIONS} questions")
    print(f"= {scans} scans")
    print(f"scores:           {scoring:.2f} s ({scoring / scans * 1000:.2f} ms per scan)")
    print(f"peer statistics:  {statistics_time:.2f} s ({summaries} group summaries)")
    print(f"together:         {scoring + statistics_time:.2f} s  (target: under 2 s)")


if __name__ == "__main__":
    main()
