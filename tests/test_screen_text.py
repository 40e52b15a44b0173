"""No literal None / NaN / <NA> anywhere on screen, on every page, with the illustrative data and an upload.

Every string the app sends is read from the element protos (labels, options, help, markdown, metric
values, chart JSON) and every table cell as the browser shows it: the Styler's display value, and for a
missing cell the table's placeholder (Streamlit writes "None" when there is none).
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from geo.store.datasets import open_store
from geo.text.fold import fold
from tests.apptest import APP

pytestmark = pytest.mark.realdata

LITERAL = re.compile(r"\b(?:None|nan|NaN|NaT|undefined)\b|<NA>")
PAGES = ("views/map.py", "views/overview.py", "views/lagging.py", "views/profile.py", "views/equity.py",
         "views/funnel.py", "views/upload.py")
SKIP_FIELDS = {"id", "form_id", "fragment_id", "query_param_key", "styles", "uuid", "component_name", "url",
               "js_content", "css_content"}
NAME = "Báo cáo tỉnh Lai Châu 2025"


def _shown(text: str) -> str:
    """A picker label without its folded search form ("tai nạn · tai nan": "nan" there is a word, not NaN)."""
    label, sep, folded = text.rpartition(" · ")
    return label if sep and fold(label) == folded else text


def _json_strings(value, where: str):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_strings(v, f"{where}[{i}]")


def _proto_strings(msg, where: str):
    """Every string in a proto message (recursively), JSON fields opened."""
    for field, value in msg.ListFields():
        if field.name in SKIP_FIELDS:
            continue
        repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
        values = value if repeated else [value]
        for v in values:
            if field.type == field.TYPE_MESSAGE:
                yield from _proto_strings(v, f"{where}.{field.name}")
            elif field.type == field.TYPE_STRING:
                if field.name in ("spec", "json", "figure") and v[:1] in "{[":
                    yield from _json_strings(json.loads(v), f"{where}.{field.name}")
                elif field.name == "body" and v.lstrip().startswith("<style"):
                    continue  # page style, not text
                else:
                    yield f"{where}.{field.name}", v


def _table(raw: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(io.BytesIO(raw)).read_all().to_pandas()


def _cells(proto, where: str):
    """Each cell of a table as shown: the display value, or the placeholder for a missing cell."""
    arrow = proto.arrow_data
    if not arrow.data:
        return
    raw = _table(arrow.data)
    shown = _table(arrow.styler.display_values) if arrow.styler.display_values else None
    placeholder = proto.placeholder if proto.HasField("placeholder") else "None"
    for j, col in enumerate(raw.columns):
        yield f"{where} header", str(col)
        for i in range(len(raw)):
            missing = pd.isna(raw.iat[i, j]) if not isinstance(raw.iat[i, j], (list, dict)) else False
            text = placeholder if missing else (str(shown.iat[i, j]) if shown is not None else str(raw.iat[i, j]))
            yield f"{where}[{i}, {col}]", text


def literals_on_screen(at: AppTest) -> list[tuple[str, str]]:
    found = []

    def walk(node, where: str):
        proto = getattr(node, "proto", None)
        if proto is not None and not hasattr(node, "children"):
            kind = getattr(node, "type", type(node).__name__)
            pairs = _cells(proto, kind) if kind in ("dataframe", "arrow_data_frame") else _proto_strings(proto, kind)
            found.extend((w, s) for w, s in pairs if LITERAL.search(_shown(s)))
        for child in getattr(node, "children", {}).values():
            walk(child, where)

    walk(at._tree, "")
    return found


def _walk(at: AppTest) -> dict[str, list]:
    problems = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        hits = literals_on_screen(at)
        if hits:
            problems[page] = hits[:5]
    return problems


def test_the_checker_sees_a_missing_cell_and_a_literal():
    """The checker itself: a NaN cell without a placeholder shows "None"; one with it shows the dash."""
    from streamlit.proto.Dataframe_pb2 import Dataframe as DataframeProto

    buf = io.BytesIO()
    table = pa.Table.from_pandas(pd.DataFrame({"a": [1.0, None], "b": ["x", "y"]}))
    with pa.ipc.new_stream(buf, table.schema) as w:
        w.write_table(table)
    proto = DataframeProto()
    proto.arrow_data.data = buf.getvalue()
    assert ("df[1, a]", "None") in list(_cells(proto, "df"))
    proto.placeholder = "—"
    assert all(not LITERAL.search(text) for _, text in _cells(proto, "df"))
    assert LITERAL.search("status.nan") and LITERAL.search("<NA>") and not LITERAL.search("Nam Định, Nậm Nhùn")
    assert not LITERAL.search(_shown("Tai nạn · tai nan")) and LITERAL.search(_shown("nan · x"))


@pytest.mark.parametrize("indicator", ["stunting_u5", "play_point"])  # a rate and a yes/no indicator
def test_no_literal_none_or_nan_on_any_page_with_the_illustrative_data(layers, indicator):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"prov": "12", "ind": indicator, "commune": "03503"})
    at.run()
    assert not at.exception
    assert _walk(at) == {}


@pytest.fixture
def stored(tmp_path, monkeypatch, layers):
    """An uploaded dataset with gaps: few communes, one year for some, a yes/no indicator, no attributes."""
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    lai_chau = layers.communes[layers.communes["province_code"] == "12"]["code"].head(12).tolist()
    rows = []
    for i, code in enumerate(lai_chau):
        for year in (2024, 2025) if i % 3 else (2025,):
            rows.append({"code": code, "year": year, "indicator": "stunting_u5", "numerator": 10.0 + i,
                         "denominator": 80.0 + 5 * i, "value": 100 * (10.0 + i) / (80.0 + 5 * i)})
            rows.append({"code": code, "year": year, "indicator": "play_point", "numerator": float(i % 2),
                         "denominator": 1.0, "value": 100.0 * (i % 2)})
    with open_store(url) as store:
        store.save_version(NAME, values=pd.DataFrame(rows), attributes=None, original_bytes=b"x",
                           original_filename="f.csv", uploader="Lan")
    return lai_chau


@pytest.mark.parametrize("indicator", ["stunting_u5", "play_point"])
def test_no_literal_none_or_nan_on_any_page_with_an_uploaded_dataset(stored, indicator):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"ds": NAME, "prov": "12", "ind": indicator, "commune": stored[1]})
    at.run()
    assert not at.exception
    assert _walk(at) == {}
