import subprocess
import sys

import nibabel as nib
import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture

from neuroseg.testing import ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "neuroseg", *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def test_segment_writes_labels_and_stats_identical_to_sklearn(pair_files, tmp_path):
    (t1, b0), (a, b) = pair_files
    out, stats = tmp_path / "labels.nii.gz", tmp_path / "stats.csv"
    done = run("segment", t1, b0, "-k", 3, "--seed", 7, "--axis", "z", "--slice", 4, "--exact", "-o", out, "--stats", stats)
    assert done.returncode == 0, done.stderr
    labels = np.asarray(nib.load(out).dataobj)
    assert labels.shape == a.shape and labels.dtype == np.uint8
    np.testing.assert_allclose(nib.load(out).affine, nib.load(t1).affine)
    a64, b64 = nib.load(t1).get_fdata()[:, :, 4], nib.load(b0).get_fdata()[:, :, 4]
    mask = (a64 > 0) & (b64 > 0)
    reference = GaussianMixture(3, random_state=7).fit_predict(np.column_stack([a64[mask], b64[mask]]))
    ours = labels[:, :, 4][mask]
    assert len(set(zip(ours.tolist(), reference.tolist()))) == 3
    assert labels[:, :, :4].max() == 0 and np.all(labels[:, :, 4][~mask] == 0)
    table = pd.read_csv(stats)
    assert list(table.columns) == ["label", "n_voxels", "volume_ml", "mean_t1", "sd_t1", "mean_b0", "sd_b0", "weight", "tissue"]
    assert table["tissue"].tolist() == ["CSF", "GM", "WM"]  # a T1 first and k = 3
    assert table["n_voxels"].sum() == mask.sum()
    assert abs(table["volume_ml"].sum() - mask.sum() * 0.008) < 1e-9


def test_compare_writes_one_row_per_fit(pair_files, tmp_path):
    (t1, b0), _ = pair_files
    out = tmp_path / "grid.csv"
    done = run("compare", t1, b0, "--kmin", 2, "--kmax", 3, "--seeds", 2, "--seed", 5, "-o", out)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out)
    assert table[["k", "seed"]].values.tolist() == [[2, 5], [2, 6], [3, 5], [3, 6]]
    assert {"bic", "aic", "converged", "n_iter", "seconds", "mean_pairwise_ari"} <= set(table.columns)


def test_info_prints_the_header_summary(pair_files):
    (t1, _), _ = pair_files
    done = run("info", t1)
    assert done.returncode == 0
    assert "Shape                       12 x 14 x 10" in done.stdout
    assert "Voxel size                  2, 2, 2 mm" in done.stdout


def test_bad_input_is_one_line_naming_the_file_and_exit_2(tmp_path):
    junk = tmp_path / "scan 'one'.nii.gz"
    junk.write_bytes(b"<!DOCTYPE html><html>not found</html>")
    done = run("info", junk)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "scan 'one'.nii.gz: is an HTML or XML page" in done.stderr
    missing = run("segment", tmp_path / "nope.nii", "-k", 2, "-o", tmp_path / "o.nii.gz")
    assert missing.returncode == 2 and "nope.nii: cannot be read" in missing.stderr
    usage = run("segment", "x.nii", "-o", "y.nii.gz")
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1 and "-k" in usage.stderr


def test_segment_says_what_the_spatial_prior_alone_costs_on_real_scans(pair_files, tmp_path):
    (t1, b0), _ = pair_files
    alone = run("segment", t1, b0, "-k", 3, "--axis", "z", "--slice", 4, "--mrf", "-o", tmp_path / "a.nii.gz")
    both = run("segment", t1, b0, "-k", 3, "--axis", "z", "--slice", 4, "--mrf", "--bias-correct",
               "-o", tmp_path / "b.nii.gz")  # fmt: skip
    assert alone.returncode == both.returncode == 0, alone.stderr + both.stderr
    assert "note: On real T1 scans the spatial prior without the bias field costs white matter" in alone.stderr
    assert "IBSR18: 4 of 10 scans" in alone.stderr and "switch on the bias field too" in alone.stderr
    assert "spatial prior without the bias field" not in both.stderr
