"""The models: one interface, one table, one check of the data.

Every model is a function ``(data, k, seed, options, with_confidence) ->
GMMResult`` in :data:`MODELS`, keyed by :attr:`FitOptions.model`; a new model
(a Student-t mixture, several Gaussians per tissue, ...) is one module and
one entry in that table. :func:`fit` checks k and the data once, the same way
for every model, and then calls the model.

Names are loaded when first used (as scikit-image loads its subpackages), so
importing :mod:`neuroseg.models.options` costs no scikit-learn import: the
command line starts fast.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "MODELS": "neuroseg.models.registry",
    "fit": "neuroseg.models.registry",
    "FitData": "neuroseg.models.data",
    "FitOptions": "neuroseg.models.options",
    "GMMResult": "neuroseg.models.result",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'neuroseg.models' has no attribute {name!r}")
