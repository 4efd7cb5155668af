"""Spreadsheet cells: text a spreadsheet would run as a formula is escaped; numbers are left alone."""

import pytest

from sources.spreadsheets import csv_cell, spreadsheet_text


@pytest.mark.parametrize("text, expected", [
    ('=HYPERLINK("http://evil","click")', '\'=HYPERLINK("http://evil","click")'),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("- I doubt it.", "'- I doubt it."),
    ("Kim Jong Un", "Kim Jong Un"),
    ("a=b", "a=b"),
    (" =1", " =1"),
    ("", ""),
    # plain numbers are numbers, not formulas
    ("-0.25", "-0.25"),
    ("+3", "+3"),
    ("-1e-05", "-1e-05"),
    ("-.5", "-.5"),
])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text, expected):
    assert spreadsheet_text(text) == expected


@pytest.mark.parametrize("value, expected", [
    (0.04187499999999999, 0.041875),
    (-12.3456789, -12.345679),
    (1 / 3, 0.333333),
    (-1e-9, 0.0),
    (0.675, 0.675),
    (7, 7),
    (None, ""),
    ("=1+1", "'=1+1"),
])
def test_a_csv_cell_rounds_floats_to_six_decimals_and_escapes_text(value, expected):
    cell = csv_cell(value)
    assert cell == expected and type(cell) is type(expected)
    assert str(csv_cell(-1e-9)) == "0.0"  # not "-0.0"
