import pytest

from portal.branding.contrast import contrast_ratio, format_ratio, relative_luminance


def test_black_and_white_have_the_highest_contrast():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_it_knows_the_grey_that_just_fails_on_white():
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)


def test_it_knows_the_grey_that_just_passes_on_white():
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.005)


def test_the_order_of_the_colours_does_not_matter():
    assert contrast_ratio("#1f4e79", "#ffffff") == contrast_ratio("#ffffff", "#1f4e79")


def test_a_colour_on_itself_has_no_contrast():
    assert contrast_ratio("#3a7bd5", "#3A7BD5") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("colour", "luminance"),
    [("#000000", 0.0), ("#ffffff", 1.0), ("#ff0000", 0.2126), ("#00ff00", 0.7152), ("#0000ff", 0.0722)],
)
def test_relative_luminance_weighs_the_channels(colour, luminance):
    assert relative_luminance(colour) == pytest.approx(luminance)


def test_it_refuses_what_is_not_a_hex_colour():
    with pytest.raises(ValueError):
        relative_luminance("red")


def test_the_shown_ratio_is_rounded_down_so_a_refused_pair_never_reads_as_enough():
    assert format_ratio(4.4999) == "4.49:1"
    assert format_ratio(21.0) == "21:1"
    assert format_ratio(2.3) == "2.3:1"
