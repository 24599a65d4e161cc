"""Fit a grid of cluster counts x seeds and summarise it for model selection (the compare page and command)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from neuroseg.analysis.metrics import label_mapping, mean_pairwise_ari
from neuroseg.analysis.segment import fit_data
from neuroseg.core.features import Features, Scope, make_features
from neuroseg.core.stack import VolumeStack
from neuroseg.errors import InputError
from neuroseg.models import FitData, FitOptions, GMMResult, fit
from neuroseg.models.histogram import Histogram
from neuroseg.models.options import check_k


def grid_pairs(kmin: int, kmax: int, first_seed: int, n_seeds: int) -> list[tuple[int, int]]:
    """Every (k, seed) of a grid, k-major: seeds ``first_seed .. first_seed + n_seeds - 1`` for each k.

    Raises
    ------
    InputError
        When ``kmin`` is above ``kmax``, or there is no seed.
    """
    kmin, kmax = check_k(kmin), check_k(kmax)
    if kmin > kmax:
        raise InputError("kmin", f"is {kmin}, above kmax ({kmax}): the smallest k must not exceed the largest.")
    if n_seeds < 1:
        raise InputError("seeds", f"must be at least 1, not {n_seeds}.")
    return [(k, s) for k in range(kmin, kmax + 1) for s in range(first_seed, first_seed + int(n_seeds))]


def available_cores() -> int:
    """Cores this process may run on (fits of a grid run on that many threads)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fit_grid(
    data: FitData,
    pairs: Sequence[tuple[int, int]],
    options: FitOptions = FitOptions(),
    *,
    n_jobs: int = 1,
    on_result: Callable[[GMMResult], None] | None = None,
) -> list[GMMResult]:
    """Fit every (k, seed) pair on the same data with the same options.

    Parameters
    ----------
    data : FitData
        The rows; fast-mode fits share one intensity histogram of them.
    pairs : sequence of (k, seed)
        The fits to run; results come in the same order.
    options : FitOptions
    n_jobs : int, default 1
        Fits to run at once in threads (each fit keeps BLAS to one thread).
    on_result : callable, optional
        Called in the calling thread with each result as it finishes, e.g. to
        move a progress bar.

    Returns
    -------
    list of GMMResult
    """
    if options.uses_histogram(len(data.X)):
        data.intensity_histogram()  # built once, before the threads share it
    results: list[GMMResult | None] = [None] * len(pairs)
    if n_jobs <= 1:
        for i, (k, seed) in enumerate(pairs):
            results[i] = fit(data, k, seed, options, with_confidence=False)
            if on_result is not None:
                on_result(results[i])
        return results
    # BLAS stays at one thread for the whole grid: parallelise across fits, not inside one
    with threadpool_limits(limits=1), ThreadPoolExecutor(max_workers=n_jobs) as pool:
        futures = {
            pool.submit(fit, data, k, seed, options, with_confidence=False): i for i, (k, seed) in enumerate(pairs)
        }
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if on_result is not None:
                on_result(results[futures[future]])
    return results


def compare(
    stack: VolumeStack,
    scope: Scope,
    pairs: Sequence[tuple[int, int]],
    options: FitOptions = FitOptions(),
    *,
    features: Features | None = None,
    histogram: Histogram | None = None,
    n_jobs: int = 1,
    on_result: Callable[[GMMResult], None] | None = None,
) -> list[GMMResult]:
    """The compare grid of ``stack``'s scope, as :func:`neuroseg.analysis.segment.segment` is one fit.

    ``features`` and ``histogram`` may be passed when already built (the app
    caches them); see :func:`fit_grid` for the rest.
    """
    features = make_features(stack.channels, scope, stack.mask) if features is None else features
    return fit_grid(fit_data(stack, features, histogram, options), pairs, options, n_jobs=n_jobs, on_result=on_result)


def grid_table(results: Sequence[GMMResult]) -> pd.DataFrame:
    """One row per fit: k, seed, bic, aic, converged, n_iter, seconds, mean_pairwise_ari.

    ``mean_pairwise_ari`` is the seed stability of that row's k: the mean
    adjusted Rand index between the label maps of all its seeds.
    """
    by_k: dict[int, list] = {}
    for r in results:
        by_k.setdefault(r.k, []).append(r.labels)
    stability = {k: mean_pairwise_ari(labels) for k, labels in by_k.items()}
    return pd.DataFrame(
        [
            {
                "k": r.k,
                "seed": r.seed,
                "bic": r.bic,
                "aic": r.aic,
                "converged": r.converged,
                "n_iter": r.n_iter,
                "seconds": round(r.seconds, 4),
                "mean_pairwise_ari": stability[r.k],
            }
            for r in results
        ]
    )


def label_alignments(results: Sequence[GMMResult]) -> dict[tuple[int, int], np.ndarray]:
    """How to renumber each run's labels so that seeds of one k agree in colour.

    Labels already follow the ordering convention (ascending mean of the first
    channel), which keeps a tissue's colour across k as far as the ordering
    allows; within a k, every seed is also aligned to that k's first seed
    (Hungarian matching on voxel overlap), which fixes the swaps the ordering
    cannot. Partitions are unchanged.

    Returns
    -------
    dict
        ``(k, seed) -> mapping``, a lookup table: ``mapping[labels]`` are the aligned labels.
    """
    out: dict[tuple[int, int], np.ndarray] = {}
    first: dict[int, np.ndarray] = {}
    for r in results:
        reference = first.setdefault(r.k, r.labels)
        out[(r.k, r.seed)] = label_mapping(reference, r.labels)
    return out
