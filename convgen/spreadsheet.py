"""Cells of the CSV files convgen writes for spreadsheets (index.csv, registers, deviations).

A cell that starts with « = », « + », « - » or « @ » (or a tab or carriage return) is run by
Excel or LibreOffice Calc as a formula: a file name such as « =HYPERLINK(…) » would become a
link. Such a cell is written after an apostrophe, which spreadsheets show as plain text
(OWASP, CSV injection).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """`value` as a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
