"""Widget values written into a page address and read back strictly: bad values are refused."""

import pytest

from latent_core.view_params import (format_number, format_numbers, parse_choice, parse_int, parse_listed_int,
                                     parse_number, parse_numbers)


def test_a_choice_must_be_one_of_the_options():
    assert parse_choice("pca", ["tsne", "pca"]) == "pca"
    assert parse_choice("PCA", ["tsne", "pca"]) is None
    assert parse_choice("", ["tsne", "pca"]) is None


@pytest.mark.parametrize("text", ["", "1.0", "1e2", " 3", "0x10", "+3", "nan", "3,4", "12345678901", "007", "-0", "00"])
def test_whole_numbers_are_plain_digits_only(text):
    assert parse_int(text, -1000, 10**12) is None


def test_whole_numbers_must_be_in_range():
    assert parse_int("300", 100, 360) == 300
    assert parse_int("-5", -10, 0) == -5
    assert parse_int("361", 100, 360) is None and parse_int("99", 100, 360) is None


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e-1", "0.15", "3.1", "-3.1", "", "0.5 ", "1,5", "--1",
                                  "01.5", "-00.5"])
def test_slider_values_off_the_range_or_step_or_oddly_written_are_refused(text):
    assert parse_number(text, -3.0, 3.0, 0.1) is None


def test_slider_values_on_the_step_grid_are_read_and_rounded():
    assert parse_number("0.3", -3.0, 3.0, 0.1) == 0.3
    assert parse_number("-3", -3.0, 3.0, 0.1) == -3.0
    assert parse_number("0.30000000000000004", -3.0, 3.0, 0.1) == 0.3
    assert parse_number("50", 0.0, 100.0, 25.0) == 50.0 and parse_number("60", 0.0, 100.0, 25.0) is None


def test_a_list_of_slider_values_must_have_one_value_per_slider():
    assert parse_numbers("0.5,-1,0", 3, -3.0, 3.0, 0.1) == [0.5, -1.0, 0.0]
    assert parse_numbers("0.5,-1", 3, -3.0, 3.0, 0.1) is None
    assert parse_numbers("0.5,-1,9", 3, -3.0, 3.0, 0.1) is None
    assert parse_numbers("0.5,,0", 3, -3.0, 3.0, 0.1) is None


def test_formatted_values_read_back_as_themselves():
    values = [0.1 + 0.2, -1.0, 0.0, -0.0000001, 2.5]
    text = format_numbers(values, 0.1)
    assert text == "0.3,-1,0,0,2.5"
    assert parse_numbers(text, 5, -3.0, 3.0, 0.1) == [0.3, -1.0, 0.0, 0.0, 2.5]
    assert format_number(12.0, 1.0) == "12"


def test_an_epoch_must_be_one_the_history_recorded():
    recorded = [0, 6, 12, 19, 150]
    assert parse_listed_int("12", recorded) == 12 and parse_listed_int("0", recorded) == 0
    assert parse_listed_int("150", recorded) == 150
    assert parse_listed_int("13", recorded) is None  # within the range but not recorded
    assert parse_listed_int("151", recorded) is None and parse_listed_int("-6", recorded) is None


@pytest.mark.parametrize("text", ["", "12.0", "+12", " 12", "1e1", "nan", "12,19", "012"])
def test_an_epoch_is_written_as_plain_digits_only(text):
    assert parse_listed_int(text, [0, 10, 12, 19]) is None


def test_no_epoch_is_read_from_an_empty_history():
    assert parse_listed_int("0", []) is None
