"""The downloadable XLSX template: filling it in is the surest way to produce a file that validates.

Sheets: "Du_lieu" (the table to fill: headers the reader knows, each with a bilingual comment; yes/no
columns offer Có/Không in a drop-down; the code column is text so Excel keeps leading zeros),
"Huong_dan" (instructions, Vietnamese first then English, with the list of indicators and their
numerator and denominator), and "Danh_muc_xa" (the 2025 communes with codes, when the commune table is
given). Headers come from the same alias table the reader uses, so the two cannot drift apart.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from geo.indicators.registry import YES_NO, Registry
from geo.ingest.headers import HeaderAliases, load_column_aliases
from geo.ingest.read import LIMITS, Limits
from geo.ingest.vocab import DENOMINATOR, F_CODE, F_NAME, F_PROVINCE, F_YEAR, NUMERATOR
from geo.text.catalogue import say
from geo.text.numbers import format_number

DATA_SHEET = "Du_lieu"
HELP_SHEET = "Huong_dan"
COMMUNES_SHEET = "Danh_muc_xa"
VALIDATED_ROWS = 20_000  # rows that get drop-downs and number checks (cells are not created)
_AUTHOR = "vn-child-targets"

_ID_COMMENTS = {F_CODE: "ingest.template.comment_ma_xa", F_NAME: "ingest.template.comment_ten_xa",
                F_PROVINCE: "ingest.template.comment_tinh", F_YEAR: "ingest.template.comment_nam"}
_PART_WORDS = {NUMERATOR: "ingest.template.word_numerator", DENOMINATOR: "ingest.template.word_denominator"}
_STEPS = ("ingest.template.step_1", "ingest.template.step_2", "ingest.template.step_3", "ingest.template.step_4",
          "ingest.template.step_5", "ingest.template.step_6", "ingest.template.step_7", "ingest.template.step_8",
          "ingest.template.step_9")
_EXAMPLE_STEP = "ingest.template.step_10"  # the worked example row: Vietnamese instructions only
_TABLE_COLUMNS = ("ingest.template.col_1", "ingest.template.col_2", "ingest.template.col_3", "ingest.template.col_4",
                  "ingest.template.col_5", "ingest.template.col_6", "ingest.template.col_7")


def _both(key: str, vi: dict[str, Any], en: dict[str, Any]) -> str:
    """A cell comment in both languages, Vietnamese first."""
    return f"{say(key, 'vi', **vi)}\n—\n{say(key, 'en', **en)}"


def list_template_columns(registry: Registry, aliases: HeaderAliases, lang: str = "vi") -> list[dict[str, Any]]:
    """The template's columns in order: header, comment text, indicator id, part (None for id columns)."""
    cols: list[dict[str, Any]] = []
    for f in (F_CODE, F_NAME, F_PROVINCE, F_YEAR):
        cols.append({"header": aliases.format_header(None, f, lang), "comment": _both(_ID_COMMENTS[f], {}, {}),
                     "indicator": None, "part": f})
    for ind in registry.indicator_ids():
        meta = registry.indicator(ind)
        if meta["measure"] == YES_NO:
            cols.append({"header": aliases.format_header(ind, None, lang), "indicator": ind, "part": YES_NO,
                         "comment": _both("ingest.template.comment_yes_no", {"name": meta["name_vi"]},
                                          {"name": meta["name_en"]})})
            continue
        for part, key in ((NUMERATOR, "numerator"), (DENOMINATOR, "denominator")):
            cols.append({"header": aliases.format_header(ind, part, lang), "indicator": ind, "part": part,
                         "comment": _both("ingest.template.comment_count",
                                          {"name": meta["name_vi"], "part": say(_PART_WORDS[part], "vi"),
                                           "what": meta[key + "_vi"]},
                                          {"name": meta["name_en"], "part": say(_PART_WORDS[part], "en"),
                                           "what": meta[key + "_en"]})})
    return cols


def _instructions(registry: Registry, aliases: HeaderAliases, limits: Limits, has_communes: bool) -> list[list[Any]]:
    code, name, prov, year = (aliases.format_header(None, f, "vi") for f in (F_CODE, F_NAME, F_PROVINCE, F_YEAR))
    params = {"sheet": DATA_SHEET, "code": code, "name": name, "prov": prov, "year": year,
              "num": aliases.canonical["vi"][NUMERATOR], "den": aliases.canonical["vi"][DENOMINATOR],
              "min_year": limits.min_year, "max_year": limits.max_year, "mb": limits.max_bytes // (1024 * 1024)}
    lines: list[list[Any]] = []
    for lang in ("vi", "en"):
        given = {**params, "rows": format_number(limits.max_rows, lang),
                 "list": say("ingest.template.code_list", lang) if has_communes else ""}
        lines.append([say("ingest.template.heading", lang)])
        lines += [[say(key, lang, **given)] for key in (*_STEPS, _EXAMPLE_STEP) if lang == "vi" or key in _STEPS]
        lines.append([])
    lines.append([say("ingest.template.indicators_heading", "vi")])
    lines.append([say(key, "vi") for key in _TABLE_COLUMNS])
    yes_no = {lang: say("ingest.template.yes_no", lang) for lang in ("vi", "en")}
    for ind in registry.indicator_ids():
        meta = registry.indicator(ind)
        if meta["measure"] == YES_NO:
            cols = aliases.format_header(ind, None, "vi")
            lines.append([cols, meta["name_vi"], yes_no["vi"], "", meta["name_en"], yes_no["en"], ""])
        else:
            cols = f"{aliases.format_header(ind, NUMERATOR, 'vi')} ; {aliases.format_header(ind, DENOMINATOR, 'vi')}"
            lines.append([cols, meta["name_vi"], meta["numerator_vi"], meta["denominator_vi"], meta["name_en"],
                          meta["numerator_en"], meta["denominator_en"]])
    return lines


def build_template_xlsx(registry: Registry, lang: str = "vi", communes: pd.DataFrame | None = None, *,
                        aliases: HeaderAliases | None = None, limits: Limits = LIMITS) -> bytes:
    """The template workbook as bytes (headers in ``lang``; instructions always Vietnamese then English).

    ``communes``: optional table with code, full_name (or name) and province_name → sheet Danh_muc_xa.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    aliases = aliases or load_column_aliases(registry)
    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    cols = list_template_columns(registry, aliases, lang)
    for pos, col in enumerate(cols, start=1):
        cell = data.cell(row=1, column=pos, value=col["header"])
        cell.font, cell.fill = bold, fill
        comment = Comment(col["comment"], _AUTHOR)
        comment.width, comment.height = 320, 140
        cell.comment = comment
        data.column_dimensions[get_column_letter(pos)].width = max(12, min(34, len(col["header"]) + 2))
    data.column_dimensions["A"].number_format = "@"  # text, so Excel keeps the leading zeros of codes
    data.freeze_panes = "B2"
    yes_no = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True, showErrorMessage=False)
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            errorStyle="warning", error=say("ingest.template.whole_number", "vi"),
                            showErrorMessage=True)
    year = DataValidation(type="whole", operator="between", formula1=str(limits.min_year),
                          formula2=str(limits.max_year), allow_blank=True, errorStyle="warning",
                          error=f"{limits.min_year}–{limits.max_year}", showErrorMessage=True)
    for dv in (yes_no, counts, year):
        data.add_data_validation(dv)
    last = VALIDATED_ROWS + 1
    for pos, col in enumerate(cols, start=1):
        letter = get_column_letter(pos)
        target = {YES_NO: yes_no, NUMERATOR: counts, DENOMINATOR: counts, F_YEAR: year}.get(col["part"])
        if target is not None:
            target.add(f"{letter}2:{letter}{last}")

    guide = book.create_sheet(HELP_SHEET)
    for line in _instructions(registry, aliases, limits, communes is not None):
        guide.append(line)
    guide.column_dimensions["A"].width = 60
    for letter in "BCDEFG":
        guide.column_dimensions[letter].width = 30
    column_title = say(_TABLE_COLUMNS[0], "vi")
    for row in guide.iter_rows():
        for cell in row:  # headings (upper case) and the indicator table's header row in bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str) and (cell.value.isupper() or cell.value == column_title):
                cell.font = bold

    if communes is not None:
        listing = book.create_sheet(COMMUNES_SHEET)
        listing.append(["ma_xa", "ten_xa", "tinh", "ma_tinh"])
        for cell in listing[1]:
            cell.font, cell.fill = bold, fill
        names = communes["full_name"] if "full_name" in communes else communes["name"]
        table = pd.DataFrame({"code": communes["code"].astype(str).str.zfill(5), "name": names,
                              "province": communes["province_name"],
                              "province_code": communes["province_code"].astype(str).str.zfill(2)})
        for row in table.sort_values(["province_code", "code"]).itertuples(index=False):
            listing.append([row.code, row.name, row.province, row.province_code])
        for row in listing.iter_rows(min_row=2, max_col=1):
            row[0].number_format = "@"
        listing.freeze_panes = "A2"
        for letter, width in zip("ABCD", (10, 34, 22, 8), strict=True):
            listing.column_dimensions[letter].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
