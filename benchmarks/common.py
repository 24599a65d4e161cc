"""What every benchmark shares: the phantoms at 1 and 1.5 mm, a timer, Markdown tables and the runner.

Run a workload from the repository's root as a module, e.g. ``python -m
benchmarks.grid`` (``--quick`` skips the slowest baselines); ``python -m
benchmarks`` runs them all. Each prints Markdown tables (medians of several
runs; ratios against the naive code timed in the same run) and writes them to
``benchmarks/results/<workload>.md``. The 1 mm and 1.5 mm phantoms are made on
first use by ``scripts/make_sample_data.py`` into ``benchmarks/data/`` (not committed).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from neuroseg.core.features import Scope, make_features
from neuroseg.core.samples import load_sample
from neuroseg.models.options import OPTION
from neuroseg.testing import ROOT

MM1 = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
GRID = [(k, s) for k in range(2, 9) for s in range(12345, 12350)]
warnings.simplefilter("ignore")


def ensure_1mm() -> Path:
    return ensure_phantom(1)


def ensure_phantom(resolution: float) -> Path:
    """The phantom at 1 or 1.5 mm, made on first use by scripts/make_sample_data.py (not committed)."""
    folder = MM1 if resolution == 1 else MM1 / f"{resolution:g}mm"
    if not (folder / "phantom_t1w.nii.gz").exists():
        subprocess.run([sys.executable, "scripts/make_sample_data.py", "--resolution", f"{resolution:g}", "--out", str(folder)],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    return folder


def timed(fn, repeats: int = 3, slow: float = 5.0):
    """Median wall time of ``fn()`` over ``repeats`` runs (one run if it takes over ``slow`` s), and its result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if times[0] > slow:
            break
    return statistics.median(times), result, len(times)


def volume_X(data_dir: Path) -> np.ndarray:
    stack, _ = load_sample("phantom", data_dir)
    return make_features(stack.channels, Scope("volume"), stack.mask).X


def table(title: str, header: list[str], rows: list[list]) -> str:
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def main(name: str, workload: Callable[[bool], str]) -> None:
    """Run one workload from the command line: print its tables and keep them in ``benchmarks/results/<name>.md``."""
    parser = argparse.ArgumentParser(description=f"neuroseg benchmark: {name}")
    parser.add_argument("--quick", action="store_true", help="skip the slowest baselines")
    args = parser.parse_args()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, fast mode N = {OPTION['max_fit_voxels'].default:,}"
    start = time.perf_counter()
    text = workload(args.quick)
    print(text, flush=True)
    command = " ".join(["python -m benchmarks." + name] + sys.argv[1:])
    report = [f"## {name} ({time.strftime('%Y-%m-%d')}; {machine})", "", f"Command: `{command}`", "", text,
              f"_measured in {time.perf_counter() - start:.0f} s_", ""]  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text("\n".join(report))
