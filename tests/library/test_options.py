"""Each fit option declared once, and every record states what actually ran (issue 24)."""

from __future__ import annotations

import dataclasses
import json

import nibabel as nib
import pytest

from neuroseg.analysis.pipeline import RunOptions
from neuroseg.analysis.segment import segment
from neuroseg.cli import build_parser, main
from neuroseg.core.features import Scope
from neuroseg.export.nifti import label_nifti
from neuroseg.export.reproduce import segment_code
from neuroseg.models import MODELS, FitOptions
from neuroseg.models.options import OPTION, OPTIONS, OptionError
from neuroseg.core.samples import DATA_DIR
from neuroseg.ui.urlparams import rules

T1 = DATA_DIR / "phantom_t1w.nii.gz"
LESSON_SLICE = Scope("slice", "z", 47)


def test_every_field_is_declared_once_for_models_that_exist():
    assert [f.name for f in dataclasses.fields(FitOptions)] == [o.name for o in OPTIONS]
    assert {m for o in OPTIONS for m in o.models} == set(MODELS)
    for option in OPTIONS:
        assert option.help.endswith(".") and option.label and option.flag.startswith("--")
        assert getattr(FitOptions(), option.name) == option.default


def test_the_command_line_and_the_url_are_made_from_the_declarations():
    helps = {a.dest: a.help for a in build_parser()._subparsers._group_actions[0].choices["segment"]._actions}
    for option in OPTIONS:
        assert helps[option.name].startswith(option.help)
    table = rules(("phantom",))
    for option in OPTIONS:
        if option.url:
            assert table[option.url].choices == option.offered
    assert table["priors"].choices == ("off", "template")  # the same spelling as the command line's


def test_a_model_receives_only_the_options_it_uses(sample):
    stack, _ = sample
    asked = FitOptions(mode="exact", covariance="diag", max_iter=7, standardise=True, bias_correct=True, mrf=10)
    assert asked.model == "tissue" and {o.name for o in asked.ignored()} == {"mode", "covariance", "max_iter", "standardise"}
    seg = segment(stack, LESSON_SLICE, 3, 12345, asked)
    plain = segment(stack, LESSON_SLICE, 3, 12345, FitOptions(bias_correct=True, mrf=10))
    assert (seg.result.labels == plain.result.labels).all()
    assert seg.result.options == plain.result.options == asked.effective()
    records = [seg.settings, json.loads(label_nifti(seg).header.extensions[0].get_content())]
    records.append(RunOptions(k=3, fit=asked).as_dict())
    for record in records:
        assert record["model"] == "tissue" and record["bias_correct"] is True and record["mrf"] == 10
        assert not {"mode", "covariance", "max_iter", "standardise", "max_fit_voxels"} & record.keys()
    for text in (seg.settings["description"], seg.caption(), segment_code(seg).script):
        assert "diag" not in text and "max_iter" not in text and "standardis" not in text


def test_the_lessons_mixture_records_its_own_options_and_not_the_tissue_models(sample):
    stack, _ = sample
    seg = segment(stack, LESSON_SLICE, 3, 12345, FitOptions(mode="exact", covariance="diag", max_iter=50))
    assert seg.settings["model"] == "exact" and seg.settings["covariance"] == "diag" and seg.settings["max_iter"] == 50
    assert not {"bias_correct", "mrf", "priors", "max_fit_voxels"} & seg.settings.keys()
    assert seg.caption().startswith(
        "GaussianMixture(n_components=3, random_state=12345, covariance_type='diag', max_iter=50) on axial slice 47"
    )
    assert "exact fit on every voxel, diag covariance, at most 50 EM iterations." in seg.caption()


def test_each_front_end_words_an_option_error_in_its_own_language():
    error = OptionError("priors", "template", "needs k = 3.")
    assert str(error) == "priors='template': needs k = 3."
    assert error.worded(OPTION["priors"].cli_text("template")) == "--priors template: needs k = 3."
    assert error.worded(OPTION["priors"].app_text("template")) == "Tissue priors 'template' (priors=template): needs k = 3."
    assert OPTION["bias_correct"].cli_text(True) == "--bias-correct" and OPTION["mode"].cli_text("exact") == "--exact"
    assert OPTION["bias_correct"].app_text(True) == "Bias field correction 'on' (bias=on)"
    with pytest.raises(OptionError, match="max_iter=0: must be a whole number of at least 1"):
        FitOptions(max_iter=0)


def test_priors_off_works_on_the_command_line_and_the_old_none_with_a_note(tmp_path, capsys):
    out = tmp_path / "labels.nii.gz"
    base = ["segment", str(T1), "-k", "3", "--slice", "47", "-o", str(out)]
    assert main(base + ["--priors", "off"]) == 0
    first = nib.load(out).get_fdata()
    assert main(base + ["--priors", "none"]) == 0
    assert "note: --priors 'none' is now spelled 'off'" in capsys.readouterr().err
    assert (nib.load(out).get_fdata() == first).all()


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--bias-correct", "--covariance", "diag"],
         "--covariance diag: the tissue model (--bias-correct) does not use it. Leave --covariance out."),
        (["--mrf", "--exact"], "--exact: the tissue model (--mrf 15) does not use it. Leave --exact out."),
        (["--mrf", "--max-fit-voxels", "500"],
         "--max-fit-voxels 500: the tissue model (--mrf 15) does not use it. Leave --max-fit-voxels out."),
        (["--mrf", "-2"], "--mrf -2: must be a number of at least 0."),
    ],
    ids=["covariance", "exact", "max-fit-voxels", "negative-beta"],
)  # fmt: skip
def test_the_command_line_refuses_an_option_the_model_would_ignore(tmp_path, capsys, flags, message):
    assert main(["segment", str(T1), "-k", "3", "--slice", "47", "-o", str(tmp_path / "x.nii.gz"), *flags]) == 2
    assert capsys.readouterr().err == f"neuroseg: error: {message}\n"
