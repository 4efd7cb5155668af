"""Cells a spreadsheet shows as text: formula injection (CSV/formula injection, OWASP) defused.

A spreadsheet runs a cell that starts with =, +, - or @ as a formula, and some also after a leading
tab or carriage return. Such text gets a leading apostrophe, which makes it plain text. Numbers,
including negative ones, are left as they are. The public CSV downloads and the admin's CSV and XLSX
exports all go through ``spreadsheet_text``.
"""

import re

import tablib
from import_export.formats.base_formats import CSV, XLSX

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_DECIMALS = 6  # public CSVs round floats to this many decimals (float noise like 0.04187499999999999)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_text(text):
    """Return ``text`` with a leading apostrophe if a spreadsheet would run it as a formula."""
    if text.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_cell(value):
    """A value for a public CSV: text made safe, floats rounded to CSV_DECIMALS, None as blank."""
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, CSV_DECIMALS) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0
    if isinstance(value, str):
        return spreadsheet_text(value)
    return value


def _safe_dataset(dataset):
    """A copy of a tablib dataset with every text cell made safe (headers are the resource's own names)."""
    rows = [[spreadsheet_text(cell) if isinstance(cell, str) else cell for cell in row] for row in dataset]
    return tablib.Dataset(*rows, headers=dataset.headers, title=dataset.title)


class SafeCSV(CSV):
    """django-import-export's CSV export with formula triggers escaped."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(_safe_dataset(dataset), **kwargs)


class SafeXLSX(XLSX):
    """django-import-export's XLSX export with formula triggers escaped: no cell is written as a formula."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(_safe_dataset(dataset), **kwargs)
