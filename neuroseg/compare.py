"""Fit a grid of cluster counts x seeds and summarise it for model selection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from neuroseg.metrics import label_mapping, mean_pairwise_ari
from neuroseg.histogram import intensity_histogram
from neuroseg.mixture import DEFAULT_MAX_FIT_VOXELS, GMMResult, fit_gmm, uses_histogram
from neuroseg.tissue import fit_tissue_model


def fit_one(
    X: np.ndarray, k: int, seed: int, *, mask: np.ndarray | None = None, spacing: Sequence[float] | None = None,
    bias_correct: bool = False, mrf_beta: float = 0.0, **fit_options,
) -> GMMResult:  # fmt: skip
    """One fit of the grid: the plain mixture, or the tissue model when either of its options is on.

    ``mask`` (the voxels of ``X`` in their grid) and ``spacing`` (its voxel size in mm) serve the tissue model only.
    """
    if bias_correct or mrf_beta > 0:
        sources = {key: fit_options[key] for key in ("files", "mask_file") if key in fit_options}  # not the histogram
        return fit_tissue_model(
            X, mask, k, seed, bias_correct=bias_correct, beta=mrf_beta, spacing=spacing, **sources
        ).result
    return fit_gmm(X, k, seed, **fit_options)


def shares_histogram(n_rows: int, **fit_options) -> bool:
    """Whether fits with these options (keyword arguments of :func:`fit_one`) go through an intensity histogram.

    Plain fast-mode fits of more than ``max_fit_voxels`` rows do; exact fits and the tissue model do not.
    """
    if fit_options.get("bias_correct") or fit_options.get("mrf_beta", 0) > 0:
        return False
    mode, limit = fit_options.get("mode", "fast"), fit_options.get("max_fit_voxels", DEFAULT_MAX_FIT_VOXELS)
    return uses_histogram(n_rows, mode, limit)


def fit_grid(
    X,
    pairs: Sequence[tuple[int, int]],
    *,
    n_jobs: int = 1,
    on_result: Callable[[GMMResult], None] | None = None,
    **fit_options,
) -> list[GMMResult]:
    """Fit every (k, seed) pair on the same feature matrix.

    Parameters
    ----------
    X : ndarray
        (n_voxels, n_channels) feature matrix.
    pairs : sequence of (k, seed)
        The fits to run; results come in the same order.
    n_jobs : int, default 1
        Fits to run at once in threads (each fit keeps BLAS to one thread).
    on_result : callable, optional
        Called in the calling thread with each result as it finishes, e.g. to
        move a progress bar.
    **fit_options
        Passed to :func:`fit_one` (mode, max_fit_voxels, ..., and the tissue
        model's ``mask``, ``spacing``, ``bias_correct`` and ``mrf_beta``). Fast-mode fits
        share one intensity histogram of ``X`` (pass ``histogram`` to reuse one).

    Returns
    -------
    list of GMMResult
    """
    fit_options.setdefault("with_confidence", False)
    if fit_options.get("histogram") is None and shares_histogram(len(X), **fit_options):
        fit_options["histogram"] = intensity_histogram(X)  # built once, shared by every fit of the grid
    results: list[GMMResult | None] = [None] * len(pairs)
    if n_jobs <= 1:
        for i, (k, seed) in enumerate(pairs):
            results[i] = fit_one(X, k, seed, **fit_options)
            if on_result is not None:
                on_result(results[i])
        return results
    # BLAS stays at one thread for the whole grid: parallelise across fits, not inside one
    with threadpool_limits(limits=1), ThreadPoolExecutor(max_workers=n_jobs) as pool:
        futures = {pool.submit(fit_one, X, k, seed, **fit_options): i for i, (k, seed) in enumerate(pairs)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if on_result is not None:
                on_result(results[futures[future]])
    return results


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
