"""The tissue model (bias field, spatial prior, partial volume) on phantoms whose truth is known."""

import json

import nibabel as nib
import numpy as np
import pytest

from neuroseg.analysis.metrics import dice_per_tissue
from neuroseg.analysis.segment import segment
from neuroseg.cli import main
from neuroseg.core.features import Scope
from neuroseg.export.nifti import corrected_nifti
from neuroseg.io import load_path
from neuroseg.models import FitData, FitOptions, fit
from neuroseg.models.options import DEFAULT_BETA
from neuroseg.models.tissue import fit_tissue_model, tissue_names
from neuroseg.testing.phantoms import make_phantom, write

TISSUES = ("CSF", "GM", "WM")


MM = (3.0, 3.0, 3.0)  # the test phantoms' voxel size


@pytest.fixture(scope="module")
def phantom():
    """A 3 mm T1w + T2w phantom: 9 % Rician noise, a strong bias field, a dark rim; with its true fields."""
    fields = []
    t1, t2, truth, affine = make_phantom(3.0, 0.09, 0.4, seed=3, fields=fields)
    mask = (t1 > 0) & (t2 > 0)
    X = np.column_stack([t1[mask], t2[mask]]).astype(np.float64)
    return X, mask, truth, fields, affine


def dice(truth, mask, labels) -> dict:
    image = np.zeros(mask.shape, np.uint8)
    image[mask] = labels
    return dice_per_tissue(truth, image, TISSUES).set_index("tissue")["dice"].to_dict()


def test_the_bias_field_is_recovered(phantom):
    X, mask, _, fields, _ = phantom
    model = fit_tissue_model(X, mask, 3, 12345, bias_correct=True)
    for c, field in enumerate(fields):
        true = np.log(field[mask])
        true -= true.mean()
        estimated = np.log(model.bias[:, c])
        assert np.corrcoef(true, estimated)[0, 1] > 0.9
        assert np.median(np.abs(estimated - true)) < 0.05  # within 5 % for half of the voxels
    assert np.allclose(model.corrected, X / model.bias)


def test_each_part_of_the_model_improves_dice_over_the_plain_mixture(phantom):
    X, mask, truth, _, _ = phantom
    plain = dice(truth, mask, fit(FitData(X), 3, 12345, FitOptions(mode="exact")).labels)
    full = fit_tissue_model(X, mask, 3, 12345, bias_correct=True, beta=DEFAULT_BETA, spacing=MM)
    tissue = dice(truth, mask, full.labels)
    assert all(tissue[t] > plain[t] for t in TISSUES), (plain, tissue)
    assert tissue["CSF"] > 0.7 and tissue["GM"] > 0.8 and tissue["WM"] > 0.75
    without_prior = dice(truth, mask, fit_tissue_model(X, mask, 3, 12345, bias_correct=True).labels)
    assert tissue["GM"] > without_prior["GM"]


def test_the_prior_weakens_with_the_square_of_the_voxel_size(phantom):
    X, mask, _, _, _ = phantom
    at_3mm = fit_tissue_model(X, mask, 3, 12345, beta=DEFAULT_BETA, spacing=MM)
    at_1mm = fit_tissue_model(X, mask, 3, 12345, beta=DEFAULT_BETA / 9, spacing=(1.0, 1.0, 1.0))
    np.testing.assert_allclose(at_3mm.posteriors, at_1mm.posteriors, atol=1e-3)
    stronger = fit_tissue_model(X, mask, 3, 12345, beta=DEFAULT_BETA, spacing=(1.0, 1.0, 1.0))
    assert np.mean(stronger.labels != at_3mm.labels) > 0.02


def test_the_prior_cleans_noise_without_eroding_thin_sheets():
    """Sheets two voxels thick (like sulcal CSF) in a noisy tissue survive the default prior; the noise does not."""
    rng = np.random.default_rng(0)
    truth = np.ones((36, 36, 36), np.uint8)
    for start in range(4, 36, 9):
        truth[start : start + 2] = 2
    signal = np.where(truth == 2, 900.0, 600.0)
    noisy = np.hypot(signal + rng.normal(0, 110, truth.shape), rng.normal(0, 110, truth.shape))
    mask = np.ones(truth.shape, bool)
    X = noisy[mask][:, None]
    errors = {}
    for beta in (0.0, DEFAULT_BETA):
        labels = fit_tissue_model(X, mask, 2, 12345, beta=beta, spacing=(1.5, 1.5, 1.5), partial_volume=False).labels
        errors[beta] = np.mean(labels != truth[mask])
        sheets = labels[truth[mask] == 2]
        assert np.mean(sheets == 2) > 0.85, (beta, np.mean(sheets == 2))
    assert errors[0.0] > 0.05 and errors[DEFAULT_BETA] < errors[0.0] / 3, errors


def test_partial_volume_keeps_the_dark_rim_out_of_the_classes(phantom):
    X, mask, _, _, _ = phantom
    plain = fit(FitData(X), 3, 12345, FitOptions(mode="exact"))
    model = fit_tissue_model(X, mask, 3, 12345, bias_correct=True, beta=DEFAULT_BETA, spacing=MM)
    # CSF is dark in T1w and the brightest in T2w; the rim (partly background) is dark in both
    assert model.means[0, 1] > 800 and model.means[0, 1] == model.means[:, 1].max()
    assert plain.means[0, 1] < model.means[0, 1]


def test_posteriors_are_probabilities_whose_argmax_is_the_label(phantom):
    X, mask, _, _, _ = phantom
    model = fit_tissue_model(X, mask, 3, 12345, beta=DEFAULT_BETA, spacing=MM)
    assert model.posteriors.shape == (len(X), 3) and model.posteriors.dtype == np.float32
    np.testing.assert_allclose(model.posteriors.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(model.posteriors.argmax(axis=1) + 1, model.labels)
    assert model.means[:, 0].tolist() == sorted(model.means[:, 0].tolist())  # DESIGN 3.3's order
    np.testing.assert_array_equal(model.bias, 1.0)


def test_a_phantom_stored_las_gives_the_same_tissues():
    t1, t2, truth, affine = make_phantom(3.0, 0.04, 0.2, seed=4)
    scores = []
    for flip in (False, True):
        a, b, t = (x[::-1] for x in (t1, t2, truth)) if flip else (t1, t2, truth)
        mask = (a > 0) & (b > 0)
        model = fit_tissue_model(np.column_stack([a[mask], b[mask]]).astype(float), mask, 3, 12345, bias_correct=True, beta=DEFAULT_BETA, spacing=MM)
        scores.append(dice(t, mask, model.labels))
    for tissue in TISSUES:
        assert scores[1][tissue] == pytest.approx(scores[0][tissue], abs=0.03)
    assert scores[1]["GM"] > 0.85 and scores[1]["WM"] > 0.85


def test_a_las_phantom_reports_its_bias_fields_as_it_stores_its_volumes(phantom):
    _, _, truth, ras_fields, _ = phantom
    las_fields = []
    _, _, las_truth, _ = make_phantom(3.0, 0.09, 0.4, seed=3, las=True, fields=las_fields)
    np.testing.assert_array_equal(las_truth, truth[::-1])
    for las, ras in zip(las_fields, ras_fields):
        np.testing.assert_array_equal(las, ras[::-1])


def test_options_off_keep_the_lesson_partition(sample):
    stack, _ = sample
    seg = segment(stack, Scope("slice", "z", 47), 3, 12345, FitOptions(mode="exact"))
    assert seg.result.posteriors is None and seg.result.model == "exact"
    direct = fit(FitData(seg.features.X), 3, 12345, FitOptions(mode="exact"))
    np.testing.assert_array_equal(seg.result.labels, direct.labels)


def test_tissue_names_need_a_t1_first_and_three_classes():
    assert tissue_names(("T1w", "T2w"), 3) == TISSUES
    assert tissue_names(("t1_mprage",), 3) == TISSUES
    assert tissue_names(("T2w", "T1w"), 3) is None and tissue_names(("T1w",), 4) is None


def test_cli_writes_posteriors_and_records_the_model(tmp_path, capsys):
    t1, t2, truth, affine = make_phantom(3.0, 0.09, 0.4, seed=5, las=True)
    write(tmp_path, t1, t2, truth, affine)
    out, post = tmp_path / "dseg.nii.gz", tmp_path / "probseg.nii.gz"
    argv = ["segment", str(tmp_path / "T1w.nii.gz"), str(tmp_path / "T2w.nii.gz"), "-k", "3", "--bias-correct",
            "--mrf", "-o", str(out), "--posteriors", str(post)]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    labels, posteriors = nib.load(out), nib.load(post)
    assert posteriors.shape == t1.shape + (3,) and posteriors.get_data_dtype() == np.float32
    np.testing.assert_allclose(posteriors.affine, affine, atol=1e-5)
    p, lab = posteriors.get_fdata(), np.asarray(labels.dataobj)
    inside = lab > 0
    np.testing.assert_array_equal(p[inside].argmax(axis=1) + 1, lab[inside])
    assert not p[~inside].any()
    settings = json.loads(labels.header.extensions[0].get_content())
    assert settings["bias_correct"] is True and settings["mrf"] == DEFAULT_BETA and settings["model"] == "tissue"
    scores = dice_per_tissue(truth, lab, TISSUES)["dice"]
    assert scores.min() > 0.7
    assert main(argv[:-2] + ["--mrf", "-1"]) == 2
    assert "--mrf -1: must be a number of at least 0." in capsys.readouterr().err


def test_the_bias_corrected_export_is_the_image_over_its_field(tmp_path, sample):
    stack, _ = sample
    seg = segment(stack, Scope("volume"), 3, 12345, FitOptions(bias_correct=True))
    image = corrected_nifti(seg, 0)
    data = image.get_fdata()
    mask = seg.features.mask
    np.testing.assert_allclose(data[mask] * seg.result.bias[:, 0], stack.channels[0][mask], rtol=1e-4)
    np.testing.assert_array_equal(data[~mask], stack.channels[0][~mask])
    path = tmp_path / "corrected.nii.gz"
    image.to_filename(path)
    np.testing.assert_allclose(load_path(path).affine, stack.affine)
