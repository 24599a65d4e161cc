"""The tissue model in the app: its posteriors, bias fields and downloads on the Segment page, its grid on Compare."""

from neuroseg.testing.apptest import chart, chart_titles, errors, frame, open_page


def test_segment_page_shows_the_tissue_model():
    at = open_page("segment", dataset="phantom", bias="on", mrf="10")
    chart(at, "3 clusters in bias-corrected intensities")
    assert {"P(CSF)", "P(GM)", "P(WM)", "Bias field of T1w", "Bias field of b0"} <= set(chart_titles(at))
    labels = [b.proto.label for b in at.get("download_button")]
    assert "T1w bias-corrected (.nii.gz)" in labels and "b0 bias-corrected (.nii.gz)" in labels
    dice_table = frame(at, "dice")
    assert dice_table["dice"].min() > 0.9
    legend = [t["name"] for t in chart(at, "Labels over T1w, axial")["data"] if t.get("name")]
    assert legend[:3] == ["CSF", "GM", "WM"]


def test_compare_page_runs_the_tissue_model_on_the_same_grid():
    plain = open_page("compare", dataset="phantom", kmin=2, kmax=3, seeds=2)
    model = open_page("compare", dataset="phantom", kmin=2, kmax=3, seeds=2, bias="on", mrf="10")
    assert "the tissue model with bias field, spatial prior β = 10" in " ".join(c.value for c in model.caption)
    bics = [frame(t, "bic")["bic"].tolist() for t in (plain, model)]
    assert len(bics[0]) == len(bics[1]) == 4 and bics[0] != bics[1]


def test_segment_page_uses_the_templates_tissue_priors_inside_a_brain_mask():
    at = open_page("segment", dataset="mni152", mask="file", mrf="10", priors="template", scope="volume")
    assert "the template's tissue priors" in " ".join(c.value for c in at.caption)
    assert frame(at, "tissue")["tissue"].tolist() == ["CSF", "GM", "WM"]
    assert frame(at, "dice")["dice"].min() > 0.7


def test_priors_under_the_lessons_rule_are_refused_with_what_would_work():
    at = open_page("segment", dataset="phantom", mask="lesson", priors="template")
    assert any(e.startswith("Tissue priors 'template' (priors=template): needs") and "mask 'brain'" in e for e in errors(at))
    assert not any("--priors" in e for e in errors(at))  # a browser user is not shown command-line flags


def test_the_caption_names_the_model_that_ran_and_only_the_options_it_used():
    def fit_caption(at):
        return next(c.value for c in at.caption if " on axial slice 47, inside " in c.value)

    at = open_page("segment", dataset="phantom", bias="on", mrf="10")
    assert fit_caption(at).startswith("the tissue model \\(k = 3, seed 12345\\) on axial slice 47")
    assert "GaussianMixture" not in fit_caption(at) and "full covariance," not in fit_caption(at)
    at.selectbox(key="covariance").set_value("diag").run()
    assert "diag" not in fit_caption(at)  # the tissue model ignores it, so no record states it
    notes = " ".join(c.value for c in at.caption)
    assert "The tissue model does not use Covariance type 'diag', so the fit and its records leave it out." in notes
    plain = open_page("segment", dataset="phantom", mode="exact")
    assert fit_caption(plain).startswith("GaussianMixture\\(n\\_components=3, random\\_state=12345\\) on axial")


def test_the_spatial_prior_alone_comes_with_what_it_costs_on_real_scans():
    def advice(at):
        return [i.value for i in at.info if "spatial prior without the bias field" in i.value]

    alone = open_page("segment", dataset="phantom", mrf="10")
    assert advice(alone) and "IBSR18" in advice(alone)[0] and "switch on the bias field too" in advice(alone)[0]
    assert not advice(open_page("segment", dataset="phantom", bias="on", mrf="10"))
