"""Hand-run benchmark of the agreement core (not part of the test suite).

    .venv/bin/python benchmarks/bench_agreement_core.py            # 500,000 items x 2 reviewers
    .venv/bin/python benchmarks/bench_agreement_core.py --items 100000 --reviewers 4

Prints wall times of LabelMatrix.from_rows, compute_agreement (no bootstrap), the bootstrap
interval, and krippendorff.alpha on the same data for comparison, plus peak RSS.
Row generation is not timed. Each row gets its own item string object, as rows read from
SQLite would, so string hashing is part of the from_rows time.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from labeler.stats.agreement import LabelMatrix, compute_agreement

T = TypeVar("T")


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def timed(label: str, func: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed:8.3f} s   peak RSS {peak_rss_mb():7.1f} MB")
    return result, elapsed


def make_rows(
    items: int, reviewers: int, buckets: int, agreement: float, seed: int
) -> tuple[list[tuple[str, str, str]], np.ndarray]:
    """Skewed 'truth' bucket per item; each reviewer copies it with probability ``agreement``."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, buckets + 1)
    truth = rng.choice(buckets, size=items, p=weights / weights.sum())
    codes = np.where(
        rng.random((reviewers, items)) < agreement,
        truth[None, :],
        rng.integers(0, buckets, size=(reviewers, items)),
    )
    names = [f"bucket_{b:02d}" for b in range(buckets)]
    people = [f"reviewer_{r}" for r in range(reviewers)]
    rows = [
        (f"case-{i:09d}", people[r], names[b])
        for r in range(reviewers)
        for i, b in enumerate(codes[r].tolist())
    ]
    return rows, codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--reviewers", type=int, default=2)
    parser.add_argument("--buckets", type=int, default=10)
    parser.add_argument("--agreement", type=float, default=0.7)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-krippendorff", action="store_true")
    args = parser.parse_args()

    print(
        f"python {platform.python_version()}  numpy {np.__version__}  nproc {os.cpu_count()}  "
        f"{platform.machine()} {platform.system()}"
    )
    rows, codes = make_rows(args.items, args.reviewers, args.buckets, args.agreement, args.seed)
    gc.collect()
    print(
        f"{len(rows):,} rows ({args.items:,} items x {args.reviewers} reviewers, "
        f"{args.buckets} buckets); RSS after generating rows {peak_rss_mb():.1f} MB"
    )

    matrix, t_rows = timed("LabelMatrix.from_rows", lambda: LabelMatrix.from_rows(rows))
    report, t_compute = timed("compute_agreement (bootstrap=0)", lambda: compute_agreement(matrix))
    print(f"{'=> from_rows + compute':<44} {t_rows + t_compute:8.3f} s")
    print(
        f"   alpha={report.krippendorff_alpha:.6f} percent={report.percent_agreement:.6f} "
        f"cohen={report.cohen_kappa} fleiss={report.fleiss_kappa}"
    )
    if args.bootstrap:
        boot, _ = timed(
            f"compute_agreement (bootstrap={args.bootstrap})",
            lambda: compute_agreement(matrix, bootstrap=args.bootstrap, seed=args.seed),
        )
        print(f"   alpha ci95={boot.krippendorff_alpha_ci95}")

    if not args.skip_krippendorff:
        import krippendorff

        data = codes.astype(np.float64)
        domain = np.arange(args.buckets, dtype=np.float64)
        value, _ = timed(
            "krippendorff.alpha (same data, reference)",
            lambda: krippendorff.alpha(
                reliability_data=data, level_of_measurement="nominal", value_domain=domain
            ),
        )
        ours = report.krippendorff_alpha
        diff = "n/a" if ours is None else f"{abs(value - ours):.2e}"
        print(f"   krippendorff.alpha={value:.6f}  |ours - reference|={diff}")
    print(f"peak RSS of the whole process: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
