"""The streaming workbook writer: what Excel, openpyxl and calamine read back."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tracker.xlsxwrite import ListValidation, SheetSpec, Workbook, column_letter


def _book(rows, **spec):
    out = BytesIO()
    with Workbook(out) as wb:
        wb.add_sheet(SheetSpec("项目", ["编号", "金额", "日期", "说明"], **spec), rows)
    return out.getvalue()


def test_values_read_back_as_written_and_text_is_never_a_formula():
    data = _book([
        ("P1", Decimal("12.50"), date(2026, 7, 31), "=HYPERLINK(\"http://x\")"),
        ("P2", None, None, "a < b & \"c\"\x07 换行\n第二行"),
        ("P3", 3, datetime(2026, 1, 2, 3, 4, 5), ""),
    ])
    ws = load_workbook(BytesIO(data))["项目"]
    assert [c.value for c in ws[1]] == ["编号", "金额", "日期", "说明"]
    assert ws["B2"].value == 12.5 and ws["B2"].number_format == "0.00"
    assert ws["C2"].value == datetime(2026, 7, 31) and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].data_type == "s" and ws["D2"].value.startswith("=HYPERLINK")
    assert ws["D3"].value == "a < b & \"c\" 换行\n第二行", "control characters Excel refuses are dropped"
    assert ws["B3"].value is None and ws["C4"].value == datetime(2026, 1, 2, 3, 4, 5)
    assert ws.freeze_panes == "A2" and ws["A1"].font.b

    rows = CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_name("项目").to_python()
    assert rows[1][:3] == ["P1", 12.5, date(2026, 7, 31)]
    assert rows[3][1] == 3


def test_widths_formats_and_drop_down_lists_are_kept():
    data = _book([("P1", Decimal("1"), None, None)], widths=[10, 14, 12, 40],
                 formats=["@", "0.00", "yyyy-mm-dd", None],
                 validations=[ListValidation("A2:A50", ["省重点", "市重点"], error="级别应为：省重点、市重点")])
    ws = load_workbook(BytesIO(data))["项目"]
    assert ws.column_dimensions["D"].width == 40
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"省重点,市重点"' and str(dv.sqref) == "A2:A50"
    assert ws["A2"].number_format == "@"


def test_column_letters_go_past_z():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_the_same_rows_make_the_same_file_whenever_they_are_written():
    """No part carries the moment it was written: a draft brief's attached ledger, and so the
    PDF around it, is recognised as one already made."""
    from zipfile import ZipFile

    rows = [("P1", Decimal("12.5"), date(2026, 7, 31), "储能")]
    data = _book(rows)
    assert data == _book(rows)
    assert {i.date_time for i in ZipFile(BytesIO(data)).infolist()} == {(1980, 1, 1, 0, 0, 0)}
