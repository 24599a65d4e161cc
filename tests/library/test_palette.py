"""Label colours stay apart under simulated colour-vision deficiency."""

import pytest

from neuroseg.viz.palette import CVD_MATRICES, LABEL_COLOURS, label_colour, seen_as, smallest_difference

VISIONS = ("normal",) + tuple(CVD_MATRICES)


@pytest.mark.parametrize("vision", VISIONS)
def test_every_pair_of_the_twelve_labels_stays_apart(vision):
    assert len(set(LABEL_COLOURS)) == 12
    assert smallest_difference(LABEL_COLOURS, vision) >= 14


@pytest.mark.parametrize("vision", VISIONS)
def test_the_three_tissues_are_far_apart(vision):
    assert smallest_difference(LABEL_COLOURS[:3], vision) >= 33


@pytest.mark.parametrize("vision", VISIONS)
def test_labels_stand_out_from_black_grey_and_white_anatomy(vision):
    for colour in LABEL_COLOURS:
        assert smallest_difference([colour, "#000000", "#808080", "#FFFFFF"], vision) >= 14


def test_the_simulation_reproduces_the_known_failure_of_plotlys_defaults():
    plotly = ["#1f77b4", "#ff7f0e", "#2ca02c"]
    assert smallest_difference(plotly, "protanopia") == pytest.approx(4.6, abs=0.1)  # orange and green merge
    assert smallest_difference(plotly, "normal") > 40
    okabe_ito = ["#E69F00", "#56B4E9", "#009E73"]
    assert min(smallest_difference(okabe_ito, v) for v in VISIONS) == pytest.approx(16.1, abs=0.1)


def test_simulated_grey_stays_grey_and_labels_wrap_after_twelve():
    grey = seen_as(["#808080"], "deuteranopia")[0]
    assert abs(grey[1]) < 1 and abs(grey[2]) < 1
    assert label_colour(1) == LABEL_COLOURS[0] and label_colour(13) == LABEL_COLOURS[0]
