"""What a fit costs in memory, known before it starts (the admission gate of the app and the command line use it).

The estimates are the peak of the memory a fit allocates (numpy's and
scikit-learn's arrays, as ``tracemalloc`` counts them) on top of its input,
measured for every model at three sizes on this machine and rounded up
(``tests/library/test_cost.py`` checks them against fresh measurements):

=========  =====================================================  ==========================
model      bytes per row (n rows, k components, d channels)        measured (k = 3)
=========  =====================================================  ==========================
exact      24 + 49 k + 8 d (scikit-learn's (n, k) float64 arrays)  172 B per row
fast       96 + 3 k + 8 d (the histogram's bins, then the rows)    104-115 B
tissue     130 + 45 k + 15 (d - 1), and 35 B per grid voxel;        209-410 B
           above 1 M rows (a coarse start) 105 + 45 k, 12 B/voxel
=========  =====================================================  ==========================
"""

from __future__ import annotations

from neuroseg.models.options import FitOptions
from neuroseg.models.tissue import COARSE_START_ABOVE

MARGIN = 1.1
"""Head room on the measured coefficients."""
BRAIN_EXTRACTION_BYTES = 700 * 2**20
"""Brain extraction and the registration check: the networks' activations on a 192-voxel cube (under 700 MB)."""


def fit_bytes(n_rows: int, n_channels: int, k: int, options: FitOptions, grid_voxels: int | None = None) -> int:
    """Estimated peak memory (bytes) of one fit of ``n_rows`` rows with ``options``' model.

    Parameters
    ----------
    n_rows, n_channels, k : int
    options : FitOptions
    grid_voxels : int, optional
        Voxels of the grid the rows lie in (the tissue model's neighbourhoods span it); default ``n_rows``.

    Returns
    -------
    int
    """
    d, grid = n_channels, n_rows if grid_voxels is None else grid_voxels
    model = options.model
    if model == "exact" or (model == "fast" and not options.uses_histogram(n_rows)):
        per_row, per_voxel = 24 + 49 * k + 8 * d, 0
    elif model == "fast":
        per_row, per_voxel = 96 + 3 * k + 8 * d, 0
    elif n_rows > COARSE_START_ABOVE:
        per_row, per_voxel = 105 + 45 * k + 15 * (d - 1), 12
    else:
        per_row, per_voxel = 130 + 45 * k + 15 * (d - 1), 35
    if options.priors == "template":
        per_row += 4 * (k + 6) + 12  # the components' log priors (float32) and the maps sampled at each row
    return int(MARGIN * (per_row * n_rows + per_voxel * grid))
