"""Every odd file gets a clear answer in the library and on the command line; budgets are checked before the data is read."""

from __future__ import annotations

import gzip
import tracemalloc

import numpy as np
import pytest

from neuroseg.cli import main
from neuroseg.errors import InputError
from neuroseg.io import load_bytes
from neuroseg.testing.bad_files import CASES, Case, nifti, patched
from neuroseg.testing.volumes import nifti_bytes

IDS = [c.id for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_library(case: Case):
    if case.outcome == "error":
        with pytest.raises(InputError) as info:
            load_bytes(case.content, case.filename)
        assert case.fragment in str(info.value)
        assert str(info.value).startswith(f"{case.filename}: ")
    else:
        image = load_bytes(case.content, case.filename)
        assert image.data.ndim == 3 and image.data.dtype == np.float64
        if case.outcome == "warning":
            assert any(case.fragment in w for w in image.warnings), image.warnings


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_command_line(case: Case, tmp_path, capsys):
    path = tmp_path / case.filename
    path.write_bytes(case.content)
    status = main(["info", str(path)])
    out, err = capsys.readouterr()
    if case.outcome == "error":
        assert status == 2 and out == ""
        assert err.count("\n") == 1 and case.fragment in err
    else:
        assert status == 0 and "Shape" in out
        if case.outcome == "warning":
            assert f"warning: {case.fragment}" in out or case.fragment in out


def test_a_zip_bomb_is_stopped_at_the_declared_size():
    header_says_small = patched(nifti(np.ones((4, 4, 4), np.float32)), vox_offset=352)
    bomb = gzip.compress(header_says_small + bytes(300 * 2**20), compresslevel=9)
    assert len(bomb) < 2 * 2**20
    tracemalloc.start()
    with pytest.raises(InputError, match=r"bomb.nii.gz: decompresses to more than the [\d,]+ bytes its header declares"):
        load_bytes(bomb, "bomb.nii.gz")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20


def test_a_huge_declared_volume_is_refused_without_allocating():
    tiny = gzip.compress(patched(nifti(), dim=[3, 4000, 4000, 4000, 1, 1, 1, 1]))
    tracemalloc.start()
    with pytest.raises(InputError, match=r"more than the 64 MiB memory budget allows.*NEUROSEG_MEMORY_BUDGET_MB"):
        load_bytes(tiny, "huge.nii.gz", budget=64 * 2**20)
    assert tracemalloc.get_traced_memory()[1] < 20 * 2**20  # the header declares 256 GB
    tracemalloc.stop()


def test_the_budget_comes_from_one_documented_setting(monkeypatch):
    monkeypatch.setenv("NEUROSEG_MEMORY_BUDGET_MB", "1")
    big = nifti_bytes(np.ones((80, 80, 80), np.float32))
    with pytest.raises(InputError, match=r"big.nii: declares 512,000 voxels per volume .* more than the 1 MiB memory budget"):
        load_bytes(big, "big.nii")
