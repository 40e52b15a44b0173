"""The CSV download: a zip of data.csv, metadata.json and README.txt (the way Our World in Data ships data).

data.csv is plain data, one header row then the rows, so ``pandas.read_csv`` and Excel open it with
their defaults; everything about the data (title, source, illustrative mark, filters, framework,
data date, method notes, column dictionary) is in metadata.json for programs and README.txt for
people, where it can never break a parser. CSV carries no types, and its readers take "01001" for the
number 1001: codes are written as "VN01001" (geo.reporting.tabular.CSV_CODE_PREFIX), text under every
reader's defaults, and README.txt and metadata.json say how to get the bare code back.
"""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from collections.abc import Sequence
from datetime import datetime

from geo.reporting.filenames import slug
from geo.reporting.tabular import (
    CSV_CODE_PREFIX,
    DataTable,
    FileMeta,
    code_columns,
    column_dictionary,
    csv_frame,
    csv_text,
)
from geo.text.catalogue import say
from geo.text.fold import nfc

DATA_NAME = "data.csv"
META_NAME = "metadata.json"
README_NAME = "README.txt"
# A fixed timestamp inside the zip: the same table and metadata always give the same bytes.
_ZIP_TIME = (2025, 7, 1, 0, 0, 0)


def _csv_names(tables: Sequence[DataTable]) -> list[str]:
    """data.csv for the first table, data_<sheet>.csv for any further one (e.g. a by-province sheet)."""
    names = [DATA_NAME]
    for table in tables[1:]:
        base = slug(table.name) or "table"
        candidate, k = f"data_{base}.csv", 2
        while candidate in names:
            candidate, k = f"data_{base}_{k}.csv", k + 1
        names.append(candidate)
    return names


def metadata_document(tables: Sequence[DataTable] | DataTable, meta: FileMeta, *,
                      created: datetime | None = None) -> dict:
    """metadata.json: the entries by key, the mark, and a Frictionless-style schema of each CSV."""
    tables = [tables] if isinstance(tables, DataTable) else list(tables)
    doc: dict = {"title": meta.title, "illustrative": bool(meta.illustrative)}
    if meta.illustrative:
        doc["illustrative_note"] = meta.mark
    for entry in meta.entries:
        doc[entry.key] = entry.value
    if created is not None:
        doc.setdefault("created", created.isoformat(timespec="seconds"))
    doc["labels"] = {entry.key: entry.label for entry in meta.entries}
    doc["resources"] = [{"path": name, "name": table.name, "format": "csv", "encoding": "utf-8-sig",
                         "rows": len(table.frame),
                         "schema": {"fields": column_dictionary(table, meta.column_notes, csv=True)}}
                        for name, table in zip(_csv_names(tables), tables, strict=True)]
    return doc


def readme_text(tables: Sequence[DataTable] | DataTable, meta: FileMeta) -> str:
    """README.txt in the session's language: the mark first, then what, where from, and the columns."""
    tables = [tables] if isinstance(tables, DataTable) else list(tables)
    lang = meta.lang
    lines: list[str] = []
    if meta.illustrative and meta.mark:
        bar = "!" * 72
        lines += [bar, *textwrap.wrap(meta.mark, 70), bar, ""]
    lines += [meta.title, "=" * min(len(meta.title), 72), ""]
    lines += [say("bundle.about", lang) + ":"]
    for entry in meta.entries:
        wrapped = textwrap.wrap(f"{entry.label}: {entry.value}", 96, subsequent_indent="    ") or [entry.label]
        lines += [f"- {wrapped[0]}", *wrapped[1:]]
    names = _csv_names(tables)
    lines += ["", say("bundle.files", lang) + ":"]
    lines += [f"- {name}: " + say("bundle.file_data", lang) + f" ({table.name})" for name, table in
              zip(names, tables, strict=True)]
    lines += [f"- {META_NAME}: " + say("bundle.file_meta", lang)]
    for name, table in zip(names, tables, strict=True):
        lines += ["", say("bundle.columns", lang) + f" ({name}):"]
        for record in column_dictionary(table, meta.column_notes, csv=True):
            extra = ", " + say("bundle.decimals", lang, n=record["decimals"]) if "decimals" in record else ""
            desc = f" — {record['description']}" if record["description"] else ""
            lines.append(f"- {record['name']} ({record['type']}{extra}){desc}")
    codes = sorted({c for table in tables for c in code_columns(table)})
    if codes:
        dtype = "{" + ", ".join(f'"{c}": str' for c in codes) + "}"
        lines += ["", say("targets.bundle.code_form", lang, columns=", ".join(codes), prefix=CSV_CODE_PREFIX,
                          example=f"{CSV_CODE_PREFIX}01001"),
                  say("bundle.read_codes", lang, columns=", ".join(codes), dtype=dtype)]
    return nfc("\r\n".join(lines) + "\r\n")


def data_csv(table: DataTable) -> bytes:
    """One CSV alone: UTF-8 with a byte-order mark (Excel then reads Vietnamese right; pandas skips it)."""
    return ("\ufeff" + nfc(csv_text(csv_frame(table)))).encode("utf-8")


def csv_bundle(tables: Sequence[DataTable] | DataTable, meta: FileMeta, *, created: datetime | None = None) -> bytes:
    """The zip a CSV button hands out: data.csv (and data_<sheet>.csv for more tables), metadata.json, README.txt."""
    tables = [tables] if isinstance(tables, DataTable) else list(tables)
    buf = io.BytesIO()
    members = [(name, data_csv(table)) for name, table in zip(_csv_names(tables), tables, strict=True)]
    members += [
        (META_NAME, json.dumps(metadata_document(tables, meta, created=created), ensure_ascii=False,
                               indent=2).encode("utf-8")),
        (README_NAME, readme_text(tables, meta).encode("utf-8")),
    ]
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, body)
    return buf.getvalue()
