"""Data that cannot give k clusters is refused the same way by every fit path, never with a traceback."""

from __future__ import annotations

import re

import nibabel as nib
import numpy as np
import pytest

from neuroseg.analysis.compare import compare
from neuroseg.analysis.pipeline import load_stack
from neuroseg.cli import main
from neuroseg.core.features import Scope
from neuroseg.errors import InputError
from neuroseg.models import MODELS, FitData, FitOptions, fit

SHAPE = (32, 32, 32)  # 32,768 voxels: above fast mode's exact-fit limit, so fast mode bins them
MESSAGE = "take only 2 distinct value(s), so k = 3 clusters cannot be told apart. Use k <= 2"
OPTIONS = {
    "exact": FitOptions(mode="exact"),
    "fast": FitOptions(mode="fast"),
    "tissue": FitOptions(bias_correct=True, mrf=15.0),
}


def two_valued(jitter: float = 0.0) -> np.ndarray:
    """A volume whose voxels are 100 or 200 (plus ``jitter`` of float noise), all inside the lesson's mask."""
    rng = np.random.default_rng(0)
    volume = rng.choice([100.0, 200.0], size=SHAPE)
    return volume + jitter * rng.random(SHAPE)


@pytest.fixture
def two_valued_file(tmp_path):
    path = tmp_path / "two_values.nii.gz"
    nib.save(nib.Nifti1Image(two_valued().astype(np.float32), np.eye(4)), path)
    return path


def test_the_table_of_models_is_what_the_options_name():
    assert set(OPTIONS) == set(MODELS)
    assert {name: options.model for name, options in OPTIONS.items()} == {name: name for name in MODELS}


@pytest.mark.parametrize("model", sorted(OPTIONS))
def test_every_model_refuses_two_values_for_three_clusters_naming_the_file(model):
    volume = two_valued()
    mask = np.ones(SHAPE, bool)
    data = FitData(volume[mask][:, None], mask, (1.0, 1.0, 1.0), files=("two_values.nii.gz",))
    with pytest.raises(InputError) as refused:
        fit(data, 3, 12345, OPTIONS[model])
    assert str(refused.value).startswith("two_values.nii.gz: the voxels inside the analysis mask " + MESSAGE)


def test_the_compare_grid_refuses_it_the_same_way(two_valued_file):
    stack, _ = load_stack([two_valued_file])
    with pytest.raises(InputError, match=re.escape(MESSAGE)):
        compare(stack, Scope("volume"), [(2, 0), (3, 0)], FitOptions())


@pytest.mark.parametrize("flags", [[], ["--exact"], ["--bias-correct", "--mrf"]], ids=["fast", "exact", "tissue"])
def test_the_command_line_refuses_it_in_one_line_with_status_2(two_valued_file, tmp_path, capsys, flags):
    out = str(tmp_path / "labels.nii.gz")
    assert main(["segment", str(two_valued_file), "-k", "3", "-o", out, *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("neuroseg: error: two_values.nii.gz:") and MESSAGE in err
    assert main(["compare", str(two_valued_file), "--kmin", "2", "--kmax", "3", "-o", out + ".csv", *flags]) == 2
    assert MESSAGE in capsys.readouterr().err


def test_the_bids_app_reports_the_participant_and_goes_on(tmp_path, capsys):
    anat = tmp_path / "bids" / "sub-01" / "anat"
    anat.mkdir(parents=True)
    nib.save(nib.Nifti1Image(two_valued().astype(np.float32), np.eye(4)), anat / "sub-01_T1w.nii.gz")
    assert main(["bids", str(tmp_path / "bids"), str(tmp_path / "out"), "participant"]) == 1
    err = capsys.readouterr().err
    assert "sub-01: sub-01_T1w.nii.gz: the voxels inside the analysis mask " + MESSAGE in err


def test_nearly_two_valued_float_data_is_fitted_exactly_instead_of_crashing_the_fast_path():
    """Float noise makes every voxel distinct, but fast mode's 1,024 bins per channel hold only two of them."""
    X = two_valued(jitter=1e-6).reshape(-1, 1)
    fast = fit(FitData(X), 3, 12345, FitOptions(mode="fast"))
    exact = fit(FitData(X), 3, 12345, FitOptions(mode="exact"))
    assert fast.n_bins is None and fast.n_fit == len(X)
    np.testing.assert_array_equal(fast.labels, exact.labels)
