"""Every workload in turn: ``python -m benchmarks [--quick]`` (about 25 minutes on 2 cores)."""

import importlib
import sys

WORKLOADS = (
    "grid", "segment", "density", "app", "memory", "load", "tissue", "realscans", "cli", "brain", "head", "reproduce",
    "view3d", "dicom",
)  # fmt: skip

for name in WORKLOADS:
    print(f"## {name}", flush=True)
    module = importlib.import_module(f"benchmarks.{name}")
    print(module.run("--quick" in sys.argv[1:]), flush=True)
