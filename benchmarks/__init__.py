"""neuroseg's benchmarks: one module per workload, run as ``python -m benchmarks.<workload>`` (see ``common``)."""
