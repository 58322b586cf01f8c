"""The workbook's rows as a park office fills them: what is read, and every refusal's wording."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tracker.workbook import parse
from tracker.workbook.parse import parse_book

MONTHLY_HEAD = ["项目编号", "年度", "月份", "当月完成投资(万元)", "形象进度", "下步计划"]
ISSUE_HEAD = ["问题编号", "项目编号", "问题类别", "问题描述", "责任单位", "责任人", "督办等级",
              "提出日期", "办结时限", "状态", "办结日期"]


def monthly(*rows):
    return {"月度进展": [MONTHLY_HEAD, *rows]}


def issue(**over):
    row = {"问题编号": "E1", "项目编号": "A1", "问题类别": "资金不足", "问题描述": "资金缺口", "责任单位": "",
           "责任人": "", "督办等级": "一般督办", "提出日期": date(2026, 2, 10), "办结时限": "",
           "状态": "办理中", "办结日期": ""}
    row.update(over)
    return [row[h] for h in ISSUE_HEAD]


def test_float_noise_is_removed_and_whole_floats_become_integers():
    book = parse_book(monthly(["A1", 2026.0, 3.0, 1470.3700000001, "主体施工", ""],
                              ["A1", 2026.0, 4.0, 0.1 + 0.2, "", ""],
                              ["A1", 2026.0, 5.0, 1470.37, "", ""]))
    assert book.ok, book.errors
    first, second, third = (r.values for r in book.records["月度进展"])
    assert first == {"code": "A1", "year": 2026, "month": 3, "amount": Decimal("1470.37"),
                     "progress_text": "主体施工", "next_steps": ""}
    assert str(second["amount"]) == "0.30"
    assert str(third["amount"]) == "1470.37"


def test_a_real_third_decimal_is_refused_float_or_text():
    book = parse_book(monthly(["A1", 2026, 3, 1470.375, "", ""], ["A1", 2026, 4, "12.001", "", ""]))
    assert book.errors == [
        "月度进展 第2行 当月完成投资(万元)：最多保留两位小数",
        "月度进展 第3行 当月完成投资(万元)：最多保留两位小数",
    ]


def test_negative_amount_has_designs_exact_message_with_excel_row_number():
    rows = [["园区重点项目月度进展表"], [""]] + [[""]] * 11 + [MONTHLY_HEAD, ["A1", 2026, 3, -5, "", ""]]
    book = parse_book({"月度进展": rows})
    assert book.errors == ["月度进展 第15行 当月完成投资(万元)：不能为负数"]


def test_text_numbers_and_thousands_separators_are_read_exactly():
    book = parse_book(monthly(["A1", "2026", "3", "1,470.50", "", ""]))
    assert book.records["月度进展"][0].values["amount"] == Decimal("1470.50")


@pytest.mark.parametrize("cell, reason", [
    ("abc", "不是有效的数字"),
    (True, "不是有效的数字"),
    (float("nan"), "不是有效的数字"),
    (10**13, "数值过大"),
])
def test_non_numeric_amounts_are_refused(cell, reason):
    book = parse_book(monthly(["A1", 2026, 3, cell, "", ""]))
    assert book.errors == [f"月度进展 第2行 当月完成投资(万元)：{reason}"]


@pytest.mark.parametrize("month", [0, 13, 2.5, "三月"])
def test_month_outside_1_to_12_is_refused(month):
    book = parse_book(monthly(["A1", 2026, month, 1, "", ""]))
    assert book.errors == ["月度进展 第2行 月份：应为1至12之间的整数"]


def test_year_must_be_a_whole_four_digit_year():
    book = parse_book(monthly(["A1", 2026.5, 3, 1, "", ""], ["A1", 26, 3, 1, "", ""]))
    assert book.errors == ["月度进展 第2行 年度：应为四位年份，如 2026",
                           "月度进展 第3行 年度：应为四位年份，如 2026"]


def test_title_rows_above_the_header_are_skipped_and_full_width_parentheses_accepted():
    rows = [["2026年重点项目年度计划"], ["单位：万元", ""],
            ["项目编号", " 年度 ", "年度计划投资（万元）"], ["A1", 2026, 10000]]
    book = parse_book({"年度计划": rows})
    assert book.ok
    assert book.header_rows == {"年度计划": 3}
    assert book.records["年度计划"][0].row == 4
    assert book.records["年度计划"][0].values == {"code": "A1", "year": 2026, "amount": Decimal("10000.00")}


def test_unknown_columns_are_ignored_and_named_as_a_warning():
    rows = [["项目编号", "备注", "年度", "年度计划投资(万元)", "填表人"], ["A1", "x", 2026, 1, "张三"]]
    book = parse_book({"年度计划": rows})
    assert book.ok
    assert book.warnings == ["年度计划 第1行：以下列不属于导入格式，已忽略：备注、填表人"]


def test_a_missing_column_and_a_missing_header_row_are_errors():
    book = parse_book({"年度计划": [["项目编号", "年度"], ["A1", 2026]],
                       "专项债": [["编号", "年度"], ["A1", 2026]]})
    assert book.errors == ["年度计划 第1行 年度计划投资(万元)：缺少此列",
                           "专项债 第1行 项目编号：未找到表头行（表头第一列应为“项目编号”）"]


def test_blank_required_cell_is_an_error_blank_optional_is_empty_and_empty_rows_are_skipped():
    book = parse_book(monthly(["A1", 2026, 3, 5, "", ""], ["", "", "", "", "  ", ""],
                              ["A1", 2026, 4, "", "", ""]))
    assert book.errors == ["月度进展 第4行 当月完成投资(万元)：不能为空"]
    assert [r.row for r in book.records["月度进展"]] == [2]


def test_duplicates_inside_the_file_are_errors():
    book = parse_book(monthly(["A1", 2026, 3, 5, "", ""], ["B1", 2026, 3, 5, "", ""],
                              ["A1", 2026.0, 3.0, 6, "", ""]))
    assert book.errors == ["月度进展 第4行 项目编号：与第2行重复（项目编号 A1，年度 2026，月份 3）"]


def test_labels_match_exactly_after_trimming():
    head = parse.PROJECTS.headers
    good = ["A1", "储能电站", " 省重点 ", "储能", "在建 ", "", "", "", "", "", "", ""]
    bad = ["A2", "新材料", "省级重点", "", "施工中", "", "", "", "", "", "", ""]
    book = parse_book({"项目": [head, good, bad]})
    assert book.records["项目"][0].values["level"] == "省重点"
    assert book.errors == [
        "项目 第3行 级别：“省级重点”不是有效的级别，应为 省重点、市重点、区重点 之一",
        "项目 第3行 建设阶段：“施工中”不是有效的建设阶段，应为 前期、在建、竣工、投产 之一",
    ]


def test_numeric_codes_read_as_text_without_the_float_tail():
    book = parse_book({"项目": [parse.PROJECTS.headers,
                              [1001.0, "项目", "区重点", "", "前期", "", "", "", "", "", 2025.0, ""]]})
    values = book.records["项目"][0].values
    assert values["code"] == "1001" and values["start_year"] == 2025
    assert values["total_investment"] is None and values["industry"] == ""


def test_issue_closed_needs_a_closed_date_and_numbers_refuse_slash_and_space():
    book = parse_book({"问题": [ISSUE_HEAD,
                              issue(问题编号="E1", 状态="已办结"),
                              issue(问题编号="E/2"),
                              issue(问题编号="E 3"),
                              issue(问题编号="E4", 状态="已办结", 办结日期="2026-03-20"),
                              issue(问题编号="E5", 办结日期="2026-03-20"),
                              issue(问题编号="E6", 问题类别="缺钱", 状态="完成")]})
    assert book.errors == [
        "问题 第2行 办结日期：状态为已办结时不能为空",
        "问题 第3行 问题编号：“E/2”不能包含“/”或空格",
        "问题 第4行 问题编号：“E 3”不能包含“/”或空格",
        "问题 第6行 办结日期：状态为办理中时应为空",
        "问题 第7行 问题类别：“缺钱”不是有效的问题类别，应为 资金不足、用地手续不完善、土地交付进度慢、规划报建、环评能评、施工组织、水电路配套、其他 之一",
        "问题 第7行 状态：“完成”不是有效的状态，应为 待办理、办理中、待确认、已办结、已撤销 之一",
    ]
    assert book.records["问题"][0].values["closed_on"] == date(2026, 3, 20)


@pytest.mark.parametrize("cell, expected", [
    (date(2026, 3, 5), date(2026, 3, 5)),
    (datetime(2026, 3, 5, 0, 0), date(2026, 3, 5)),
    ("2026-03-05", date(2026, 3, 5)),
    (" 2026-3-5 ", date(2026, 3, 5)),
])
def test_dates_are_date_cells_or_iso_text(cell, expected):
    book = parse_book({"问题": [ISSUE_HEAD, issue(提出日期=cell)]})
    assert book.records["问题"][0].values["raised_on"] == expected


@pytest.mark.parametrize("cell", ["2026/03/05", "2026-02-30", "下周", 46000.0])
def test_a_date_that_is_not_a_date_is_refused(cell):
    book = parse_book({"问题": [ISSUE_HEAD, issue(提出日期=cell)]})
    assert book.errors == ["问题 第2行 提出日期：不是有效的日期（应为日期单元格或 YYYY-MM-DD 格式的文字）"]


def test_codes_must_exist_in_the_projects_sheet_or_the_database():
    book = parse_book({"项目": [parse.PROJECTS.headers, ["A1", "储能", "省重点", "", "在建"] + [""] * 7],
                       "年度计划": [["项目编号", "年度", "年度计划投资(万元)"],
                                ["A1", 2026, 1], ["OLD", 2026, 1], ["ZZ", 2026, 1]]})
    parse.check_codes(book, {"OLD"})
    assert book.errors == ["年度计划 第4行 项目编号：项目“ZZ”不存在（项目表和系统中均没有）"]
    assert [r.values["code"] for r in book.records["年度计划"]] == ["A1", "OLD"]


def test_errors_sort_by_sheet_then_row():
    errors = ["问题 第3行 状态：x", "项目 第9行 级别：y", "问题 第2行 状态：z", "文件为空"]
    assert parse.sort_errors(errors) == ["文件为空", "项目 第9行 级别：y", "问题 第2行 状态：z", "问题 第3行 状态：x"]


def test_labels_are_the_models_enums():
    from tracker.models import Category, IssueState, Level, Stage, SupervisionLevel

    assert tuple(Level) == parse.LEVELS
    assert tuple(Stage) == parse.STAGES
    assert tuple(Category) == parse.CATEGORIES
    assert tuple(SupervisionLevel) == parse.SUPERVISION_LEVELS
    assert tuple(IssueState) == parse.ISSUE_STATES


# --- files --------------------------------------------------------------------------------


def xlsx_bytes(sheets: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ods_bytes(name: str, rows: list[list]) -> bytes:
    """A minimal OpenDocument spreadsheet, written by hand (no LibreOffice needed)."""
    def cell(v):
        if isinstance(v, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{name}">{body}</table:table>'
        '</office:spreadsheet></office:body></office:document-content>'
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '</manifest:manifest>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return buf.getvalue()


def test_an_xlsx_is_read_from_a1_so_row_numbers_are_excels():
    data = xlsx_bytes({"说明": [["随便写"]],
                       "年度计划": [["标题"], [], ["项目编号", "年度", "年度计划投资(万元)"], ["A1", 2026, 1.5]]})
    sheets = parse.read_sheets(data)
    assert list(sheets) == ["年度计划"]
    book = parse_book(sheets)
    assert book.records["年度计划"][0].row == 4


def test_a_sheet_that_starts_in_column_b_is_read():
    wb = Workbook()
    ws = wb.active
    ws.title = "年度计划"
    ws["B1"] = "年度计划表"
    for r, row in enumerate([["项目编号", "年度", "年度计划投资(万元)"], ["A1", 2026, 7]], start=3):
        for c, value in enumerate(row, start=2):
            ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    book = parse_book(parse.read_sheets(buf.getvalue()))
    assert [(r.row, r.values["amount"]) for r in book.records["年度计划"]] == [(4, Decimal("7.00"))]


def test_an_ods_file_is_read():
    data = ods_bytes("年度计划", [["项目编号", "年度", "年度计划投资（万元）"], ["A1", 2026, 1200.5]])
    book = parse_book(parse.read_sheets(data))
    assert book.ok, book.errors
    assert book.records["年度计划"][0].values["amount"] == Decimal("1200.50")


@pytest.mark.parametrize("data, message", [
    (b"", "文件为空，请选择要导入的工作簿。"),
    (b"project,year\nA1,2026\n", "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx、.xls）或 ODS 表格（.ods）。"),
    (b"PK\x03\x04broken zip", "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx、.xls）或 ODS 表格（.ods）。"),
])
def test_files_that_are_not_workbooks_get_a_clear_message(data, message):
    with pytest.raises(parse.WorkbookError) as caught:
        parse.read_sheets(data)
    assert str(caught.value) == message


def test_a_workbook_with_none_of_the_sheets_and_a_file_over_the_limit():
    with pytest.raises(parse.WorkbookError, match="工作簿中没有可导入的工作表：应至少包含 项目、年度计划、月度进展、问题、专项债、专项债支出、节点计划 之一。"):
        parse.read_sheets(xlsx_bytes({"Sheet1": [["a"]]}))
    with pytest.raises(parse.WorkbookError, match="文件超过 1 MB 上限，无法导入。"):
        parse.read_sheets(b"x" * (1024 * 1024 + 1), max_bytes=1024 * 1024)


# --- 年度计划's 级别 and 节点计划 (DESIGN.md section 11) -------------------------------------

NODE_HEAD = ["项目编号", "节点名称", "计划完成日期", "实际完成日期", "备注"]


def test_a_plans_sheet_may_leave_out_the_level_column_or_give_a_level_without_an_amount():
    without = parse_book({"年度计划": [["项目编号", "年度", "年度计划投资(万元)"], ["A1", 2026, 100]]})
    assert without.ok and without.records["年度计划"][0].values == {
        "code": "A1", "year": 2026, "amount": Decimal("100.00")}
    head = ["项目编号", "年度", "年度计划投资(万元)", "级别"]
    book = parse_book({"年度计划": [head, ["A1", 2025, "", "不列入"], ["A1", 2026, 5, " 省重点 "]]})
    assert book.ok, book.errors
    assert [(r.values["amount"], r.values["level"]) for r in book.records["年度计划"]] == [
        (None, "不列入"), (Decimal("5.00"), "省重点")]
    neither = parse_book({"年度计划": [head, ["A1", 2025, "", ""]]})
    assert neither.errors == ["年度计划 第2行 年度计划投资(万元)：不能为空"]


@pytest.mark.parametrize("cell, expected", [
    (date(2026, 5, 1), date(2026, 5, 1)),
    (datetime(2026, 5, 1), date(2026, 5, 1)),
    ("2026-05-01", date(2026, 5, 1)),
    (" 不适用 ", "不适用"),
    ("", None),
])
def test_a_planned_date_is_a_date_or_not_applicable(cell, expected):
    book = parse_book({"节点计划": [NODE_HEAD, ["A1", "开工建设", cell, "", ""]]})
    assert book.ok, book.errors
    assert book.records["节点计划"][0].values["planned"] == expected


def test_node_plan_rows_name_their_errors_and_duplicates():
    book = parse_book({"节点计划": [
        NODE_HEAD,
        ["A1", "开工建设", "下月", "不适用", ""],
        ["A1", "节" * 61, "", "", ""],
        ["A1 ", "开工建设", "", "", "重复"],
    ]})
    assert book.errors == [
        "节点计划 第2行 计划完成日期：应为日期（日期单元格或 YYYY-MM-DD 格式的文字）或“不适用”",
        "节点计划 第2行 实际完成日期：不是有效的日期（应为日期单元格或 YYYY-MM-DD 格式的文字）",
        "节点计划 第3行 节点名称：不能超过60个字符",
        "节点计划 第4行 项目编号：与第2行重复（项目编号 A1，节点名称 开工建设）",
    ]
