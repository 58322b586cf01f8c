"""List downloads: text stays text in Excel."""

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from tracker.xlsx import workbook_bytes


def test_text_that_looks_like_a_formula_stays_text_and_amounts_keep_two_decimals():
    data = workbook_bytes("表", ["名称", "金额"], [("=HYPERLINK(\"http://x\")", Decimal("12.50"))])
    ws = load_workbook(BytesIO(data)).active
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith("=HYPERLINK")
    assert ws["B2"].value == 12.5 and ws["B2"].number_format == "0.00"
    assert ws.freeze_panes == "A2"
