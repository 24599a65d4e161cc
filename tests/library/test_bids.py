"""The BIDS App: participants in order, in processes and on a dask cluster; failures, reruns, the group table."""

import json
import os

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from neuroseg.cli import main
from neuroseg.testing import ROOT
from neuroseg.testing.volumes import blobs

OPTIONS = ["-k", "3", "--seed", "7", "--exact"]


def write(path, data, affine=np.diag([2.0, 2.0, 2.0, 1.0])):
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(data.astype(np.float32), affine), path)


@pytest.fixture
def dataset(tmp_path):
    """Three participants with T1w and T2w; sub-03 lacks its T2w (the broken one)."""
    root = tmp_path / "bids"
    for i, label in enumerate(("01", "02", "03")):
        a, b = blobs(seed=i)
        write(root / f"sub-{label}" / "anat" / f"sub-{label}_T1w.nii.gz", a)
        if label != "03":
            write(root / f"sub-{label}" / "anat" / f"sub-{label}_T2w.nii.gz", b)
    (root / "dataset_description.json").write_text(json.dumps({"Name": "test", "BIDSVersion": "1.9.0"}))
    return root


def labels_of(out, label, session=""):
    folder = out / f"sub-{label}" / session / "anat"
    prefix = f"sub-{label}" + (f"_{session}" if session else "")
    return np.asarray(nib.load(folder / f"{prefix}_desc-neuroseg_dseg.nii.gz").dataobj)


def run(dataset, out, *extra):
    return main(["bids", str(dataset), str(out), "participant", "--channels", "T1w", "T2w", *OPTIONS, *extra])


def test_participant_level_writes_derivatives_identical_to_segment(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(dataset, out) == 1  # sub-03 failed
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "neuroseg: sub-03: no T2w image (sub-03_T2w.nii[.gz]) in sub-03/anat"
    ]
    assert "[3/3]" in captured.out and "2 done, 0 skipped, 1 failed" in captured.out
    description = json.loads((out / "dataset_description.json").read_text())
    assert description["DatasetType"] == "derivative"
    generated = description["GeneratedBy"][0]
    assert generated["Name"] == "neuroseg" and generated["Version"] == "0.2.0"
    assert generated["Options"]["k"] == 3 and generated["Options"]["mode"] == "exact"
    assert generated["Options"]["channels"] == ["T1w", "T2w"]
    for label in ("01", "02"):
        reference = tmp_path / f"segment_{label}.nii.gz"
        anat = dataset / f"sub-{label}" / "anat"
        assert main(["segment", str(anat / f"sub-{label}_T1w.nii.gz"), str(anat / f"sub-{label}_T2w.nii.gz"),
                     *OPTIONS, "-o", str(reference)]) == 0  # fmt: skip
        np.testing.assert_array_equal(labels_of(out, label), np.asarray(nib.load(reference).dataobj))
        table = pd.read_csv(out / f"sub-{label}" / "anat" / f"sub-{label}_desc-neuroseg_dseg.tsv", sep="\t")
        assert table.columns.tolist() == ["index", "name", "color"]
        assert table["name"].tolist() == ["CSF", "GM", "WM"] and all(c.startswith("#") for c in table["color"])
    assert not (out / "sub-03").exists()
    assert not list(out.rglob("*.part"))


def test_processes_and_a_dask_cluster_give_identical_labels(dataset, tmp_path, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the workers import neuroseg
    sequential, processes, cluster_out = tmp_path / "seq", tmp_path / "jobs", tmp_path / "dask"
    assert run(dataset, sequential) == 1
    assert run(dataset, processes, "--jobs", "2") == 1
    # worker threads: a worker process spawned after the AppTest tests of this same pytest run fails to start
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        assert run(dataset, cluster_out, "--scheduler", cluster.scheduler_address) == 1
    for label in ("01", "02"):
        np.testing.assert_array_equal(labels_of(processes, label), labels_of(sequential, label))
        np.testing.assert_array_equal(labels_of(cluster_out, label), labels_of(sequential, label))


def test_a_rerun_skips_finished_participants_unless_overwrite(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    run(dataset, out, "--participant-label", "01")
    done = out / "sub-01" / "anat" / "sub-01_desc-neuroseg_dseg.nii.gz"
    stamp = done.stat().st_mtime_ns
    capsys.readouterr()
    assert run(dataset, out, "--participant-label", "01") == 0
    assert "sub-01: skipped" in capsys.readouterr().out and done.stat().st_mtime_ns == stamp
    os.utime(done, ns=(0, 0))
    assert run(dataset, out, "--participant-label", "sub-01", "--overwrite") == 0
    assert "sub-01: done" in capsys.readouterr().out and done.stat().st_mtime_ns != 0


def test_group_level_tabulates_volumes_from_the_label_maps(dataset, tmp_path):
    out = tmp_path / "out"
    run(dataset, out)
    assert main(["bids", str(dataset), str(out), "group"]) == 0
    table = pd.read_csv(out / "group_volumes.tsv", sep="\t")
    assert table.columns.tolist() == ["participant_id", "index", "name", "n_voxels", "volume_ml"]
    assert sorted(set(table["participant_id"])) == ["sub-01", "sub-02"]
    for label in ("01", "02"):
        labels = labels_of(out, label)
        rows = table[table["participant_id"] == f"sub-{label}"].sort_values("index")
        assert rows["n_voxels"].tolist() == [int((labels == j).sum()) for j in (1, 2, 3)]
        np.testing.assert_allclose(rows["volume_ml"], rows["n_voxels"] * 0.008)
    assert (out / "group_volumes.png").stat().st_size > 1000


def test_sessions_are_found_and_reported(tmp_path):
    root = tmp_path / "bids"
    a, b = blobs()
    for session in ("1", "2"):
        write(root / "sub-01" / f"ses-{session}" / "anat" / f"sub-01_ses-{session}_acq-fast_T1w.nii.gz", a)
    out = tmp_path / "out"
    assert main(["bids", str(root), str(out), "participant", *OPTIONS]) == 0
    assert labels_of(out, "01", "ses-2").shape == a.shape
    assert main(["bids", str(root), str(out), "group"]) == 0
    table = pd.read_csv(out / "group_volumes.tsv", sep="\t")
    assert table.columns.tolist()[:2] == ["participant_id", "session_id"]
    assert sorted(set(table["session_id"])) == ["ses-1", "ses-2"]


def test_ambiguous_files_and_bad_arguments(dataset, tmp_path, capsys):
    a, _ = blobs()
    write(dataset / "sub-01" / "anat" / "sub-01_run-2_T1w.nii.gz", a)
    assert run(dataset, tmp_path / "out", "--participant-label", "01") == 1
    assert "neuroseg: sub-01: 2 files match T1w in sub-01/anat (sub-01_T1w.nii.gz, sub-01_run-2_T1w.nii.gz)" in capsys.readouterr().err
    assert main(["bids", str(tmp_path / "nowhere"), str(tmp_path / "out"), "participant"]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert run(dataset, tmp_path / "out", "--participant-label", "09") == 2
    assert "has no participant sub-09" in capsys.readouterr().err
    assert run(dataset, tmp_path / "out", "--mrf", "-2") == 2
    assert main(["bids", str(dataset), str(tmp_path / "empty"), "group"]) == 2
