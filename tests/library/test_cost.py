"""A fit's memory is known before it starts: the estimates against measured peaks of every model at three sizes."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from neuroseg.models import FitData, FitOptions, fit
from neuroseg.models.cost import fit_bytes

pytestmark = pytest.mark.slow  # fits of up to 1.9 million rows

MODELS = {
    "exact": FitOptions(mode="exact"),
    "fast": FitOptions(),
    "tissue": FitOptions(bias_correct=True, mrf=15),
}


def grid_rows(sample, factor: int, dense: bool):
    """The phantom's two channels (each voxel repeated ``factor`` times per axis), its brain or its whole grid."""
    stack, _ = sample
    channels = [c.repeat(factor, 0).repeat(factor, 1).repeat(factor, 2) for c in stack.channels]
    mask = np.ones(channels[0].shape, bool) if dense else np.all([c > 0 for c in channels], axis=0)
    noise = np.random.default_rng(0).normal(0, 5, (int(mask.sum()), 2))  # distinct values: no free ride in the bins
    return np.maximum(np.column_stack([c[mask] for c in channels]) + noise, 1.0), mask


def measured_peak(data: FitData, k: int, options: FitOptions) -> int:
    tracemalloc.start()
    try:
        with threadpool_limits(limits=1):
            fit(data, k, 0, options)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "model, factor, dense, rows, k",
    [
        ("exact", 1, False, 60_000, 3), ("exact", 1, False, None, 3), ("exact", 1, True, 700_000, 8),
        ("fast", 1, False, None, 3), ("fast", 1, True, None, 8), ("fast", 2, False, None, 3),
        ("tissue", 1, False, None, 3), ("tissue", 1, True, None, 5), ("tissue", 2, False, None, 3),
    ],
    ids=["exact-60k", "exact-235k", "exact-700k-k8", "fast-235k", "fast-1.1M-k8", "fast-1.9M",
         "tissue-235k", "tissue-1.1M-dense-k5", "tissue-1.9M"],
)  # fmt: skip
def test_the_estimate_covers_the_measured_peak_without_wasting_the_budget(sample, model, factor, dense, rows, k):
    X, mask = grid_rows(sample, factor, dense)
    if rows is not None:  # the mixture needs no grid: the first rows
        X = X[:rows]
    data = FitData(np.ascontiguousarray(X), mask if rows is None else None, (1.0, 1.0, 1.0))
    peak = measured_peak(data, k, MODELS[model])
    estimate = fit_bytes(len(X), 2, k, MODELS[model], mask.size if rows is None else None)
    assert peak <= estimate <= 1.6 * peak, (peak / 2**20, estimate / 2**20)
