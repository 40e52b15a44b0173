"""The shared sidebar and the URL: every choice lives in the query string so a copied link restores the view.

Session state only holds the widget values (small); they are seeded from the URL on a session's
first run and written back to it after each change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from geo.geometry.boundaries import Layers
from geo.indicators.plans import default_plan
from geo.indicators.registry import Registry
from geo.indicators.selection import Filters
from geo.reference.communes import COMMUNE_TYPES
from geo.text.fold import searchable

YEARS = (2021, 2022, 2023, 2024, 2025)
TARGET_YEARS = (2025, 2030)
COLOUR_MODES = ("status", "certainty", "trend", "value", "classed")
MIN_N_CHOICES = ("20", "30", "50", "100", "200")
TRISTATE = ("all", "yes", "no")
LANGS = ("vi", "en")
ORDERS = ("furthest", "nearest")
EM_CLASSES = ("I", "II", "III")  # khu vực of an ethnic-minority area (geo/ingest/attributes.py)

# session_state keys shared by several modules (one name each; widget keys are the URL keys above)
UPLOAD_KEY = "upload"  # the one CheckedUpload of this session
UPLOAD_FLASH_KEY = "upload_flash"  # outcome of the last upload-page write action, shown once
MAPPING_KEY = "upload_mapping"  # the user's ColumnMapping of this session (one header signature)
MAPPING_USED_KEY = "upload_mapping_used"  # which mappings the session's check was made with
PREVIEW = "__preview__"  # the sidebar's dataset name for this session's unsaved upload
GOTO_MAP_KEY = "_goto_map"  # set by the upload page to switch to the map on the next run
SEEDED_KEY = "_seeded"  # the URL has been read into the widgets once
MAP_NONCE_KEY = "_map_nonce"  # bumped to reset the map's click selection
PENDING_PROVINCE_KEY = "_goto_province"  # a province clicked on the national status map, applied next run
MAP_VIEW_KEY = "view"  # the map view the user moved to: <area>_<lon>_<lat>_<zoom> (URL key too)
# e.g. map-vn_105.8412_16.1234_5.62 or ov-12_103.2_22.3_8.1: the area names the page and province, so a
# view is only ever applied to the map it was taken on.
_VIEW_RE = re.compile(r"^(map|ov)-(vn|\d{2})_(-?\d{1,3}(?:\.\d+)?)_(-?\d{1,2}(?:\.\d+)?)_(\d{1,2}(?:\.\d+)?)$")
TABLE_NONCE_KEY = "_table_nonce"  # bumped to reset a table's row selection after it opened a profile
IGNORED_KEY = "_url_ignored"  # "key=value" parts of the opening link that were not valid (shown once)


@dataclass(frozen=True)
class Selection:
    """Everything a page needs to know about the current view."""

    lang: str
    framework: str
    indicator: str
    year: int
    target_year: int
    colour: str
    filters: Filters
    min_n: int = 50
    smooth: bool = False
    framework_auto: bool = False  # the plan follows the area (no explicit choice in the sidebar or URL)


def _defaults(reg: Registry) -> dict[str, str]:
    return {
        "lang": "vi", "fw": "", "ind": "stunting_u5", "year": "2025", "ty": "2025",
        "colour": "status", "prov": "", "em": "all", "border": "all", "coast": "all", "island": "all",
        "types": ",".join(COMMUNE_TYPES),
        "commune": "", "order": "furthest", "present": "0", "ds": "", "dsv": "", "minn": "50", "smooth": "0",
        MAP_VIEW_KEY: "",
        "partial": "0", "dbkk": "all", "emclass": "",
    }


def _choices(reg: Registry, layers: Layers, datasets: list[str]) -> dict[str, list[str]]:
    return {
        "ds": [""] + list(datasets), "dsv": [""] + [str(v) for v in range(1, 10_000)],
        "minn": list(MIN_N_CHOICES), "smooth": ["0", "1"], "partial": ["0", "1"],
        "dbkk": list(TRISTATE), "emclass": ["", *EM_CLASSES],
        "lang": list(LANGS), "fw": [""] + reg.frameworks["id"].tolist(), "ind": reg.indicator_ids(),
        "year": [str(y) for y in YEARS], "ty": [str(y) for y in TARGET_YEARS], "colour": list(COLOUR_MODES),
        "prov": [""] + layers.provinces["code"].tolist(), "em": list(TRISTATE), "border": list(TRISTATE),
        "coast": list(TRISTATE), "island": list(TRISTATE),
        "commune": [""] + layers.communes["code"].tolist(), "order": list(ORDERS), "present": ["0", "1"],
    }


def seed_from_url(reg: Registry, layers: Layers, datasets: list[str]) -> None:
    """On a session's first run, take widget values from the URL; unknown values fall back to defaults.

    On later runs, re-assign every value: Streamlit forgets the state of widgets a page does not
    draw, and a value that is not a widget's survives page switches.
    """
    if st.session_state.get(SEEDED_KEY):
        for key in _defaults(reg):
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
        return
    defaults, choices = _defaults(reg), _choices(reg, layers, datasets)
    params = st.query_params
    ignored: list[str] = []
    for key, default in defaults.items():
        raw = params.get(key, default)
        if key == "types":
            picked = [t for t in raw.split(",") if t in COMMUNE_TYPES]
            st.session_state[key] = picked or list(COMMUNE_TYPES)
            bad = [t for t in raw.split(",") if t not in COMMUNE_TYPES]
        elif key == MAP_VIEW_KEY:
            st.session_state[key] = raw if _parse_view(raw) else default
            bad = [] if raw == default or _parse_view(raw) else [raw]
        else:
            st.session_state[key] = raw if raw in choices[key] else default
            bad = [] if raw in choices[key] else [raw]
        if bad:
            ignored.append(f"{key}={','.join(bad)}")
    st.session_state[IGNORED_KEY] = ignored
    st.session_state[SEEDED_KEY] = True


def _parse_view(raw: str) -> tuple[str, dict] | None:
    match = _VIEW_RE.match(raw or "")
    if not match:
        return None
    lon, lat, zoom = (float(match.group(k)) for k in (3, 4, 5))
    if not (-180 <= lon <= 180 and -85 <= lat <= 85 and 0 <= zoom <= 20):
        return None
    return f"{match.group(1)}-{match.group(2)}", {"lon": lon, "lat": lat, "zoom": zoom}


def map_view(view_key: str) -> dict | None:
    """The view (lon, lat, zoom) the link or the user set for this map, or None (the map fits its area)."""
    parsed = _parse_view(st.session_state.get(MAP_VIEW_KEY, ""))
    return parsed[1] if parsed and parsed[0] == view_key else None


def set_map_view(view_key: str, view: dict) -> None:
    """Keep the user's view of this map for the share link (rounded: ~1 m and 1/100 zoom step)."""
    try:
        raw = f"{view_key}_{float(view['lon']):.5f}_{float(view['lat']):.5f}_{float(view['zoom']):.2f}"
    except (KeyError, TypeError, ValueError):
        return
    if _parse_view(raw):
        st.session_state[MAP_VIEW_KEY] = raw


def ignored_notice(t) -> None:
    """One line naming the parts of the opening link that were not valid; the rest of the link applied."""
    ignored = st.session_state.pop(IGNORED_KEY, None)
    if ignored:  # code spans: a crafted value cannot become a link or markup
        parts = ", ".join(f"`{part[:60].replace('`', '')}`" for part in ignored[:8])
        st.warning(t("link.ignored", parts=parts), icon=":material/link_off:")


def write_to_url(reg: Registry) -> dict[str, str]:
    """Mirror the widget values into the query string, leaving defaults out to keep links short."""
    wanted = {}
    for key, default in _defaults(reg).items():
        value = st.session_state.get(key, default)
        value = ",".join(value) if isinstance(value, list) else str(value)
        if value != default:
            wanted[key] = value
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
    return wanted


def share_link(t, page_path: str, params: dict[str, str]) -> None:
    """A copyable link to exactly this view (select it and copy)."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    base_path = "/".join(p for p in (st.get_option("server.baseUrlPath") or "", page_path) if p)
    link = urlunsplit((parts.scheme, parts.netloc, "/" + base_path, urlencode(params), ""))
    with st.sidebar.expander(t("link.title"), icon=":material/link:"):
        # Inline code in markdown, not st.code: that one loads a 1.6 MB syntax highlighter on every page.
        st.markdown(f"`{link}`")
        st.caption(t("link.help"))


def _forget_version() -> None:
    """A newly chosen dataset opens at its latest version."""
    st.session_state["dsv"] = ""


def colour_control(t) -> str:
    """Map colouring choice and optional smoothing (only the map page draws them; values persist)."""
    mode = st.sidebar.radio(t("sidebar.colour_by"), COLOUR_MODES, key="colour",
                            format_func=lambda m: t(f"colour.{m}"))
    st.sidebar.toggle(t("uncertainty.smoothed"), value=st.session_state.get("smooth") == "1", key="smooth_toggle",
                      help=t("uncertainty.smoothed_help"), disabled=mode not in ("value", "classed"),
                      on_change=lambda: st.session_state.update(smooth="1" if st.session_state.smooth_toggle else "0"))
    return mode


def attribute_filters(t, sel: Selection, sources: dict[str, tuple[str, int]]) -> Selection:
    """Filters on attributes only an upload states (especially difficult commune, area class), where stated."""
    side, s = st.sidebar, st.session_state
    labels = {"all": t("opt.all"), "yes": t("yes"), "no": t("no")}
    extra = {}
    if sources["especially_difficult"][0] == "uploaded":
        side.radio(t("attr.filter_difficult"), TRISTATE, key="dbkk", horizontal=True, format_func=labels.get)
        extra["especially_difficult"] = _tristate(s.get("dbkk", "all"))
    if sources["em_class"][0] == "uploaded":
        side.selectbox(t("attr.filter_em_class"), ["", *EM_CLASSES], key="emclass",
                       format_func=lambda c: t("attr.em_class_value", cls=c) if c else t("opt.all"))
        extra["em_class"] = s.get("emclass") or None
    if not extra:
        return sel
    return replace(sel, filters=replace(sel.filters, **extra))


def _tristate(value: str) -> bool | None:
    return None if value == "all" else value == "yes"


def render_sidebar(reg: Registry, layers: Layers, t, datasets: list[str] | None = None,
                   areas: dict[str, frozenset[str]] | None = None, *, commune_page: bool = False) -> Selection:
    """Language, dataset, framework, indicator, years and filters; returns the selection.

    The plan defaults to the one for the area shown (``areas``: where each sub-national plan applies;
    the chosen commune counts on the commune page only); an explicit choice, and the URL, win.
    """
    datasets = datasets or []
    seed_from_url(reg, layers, datasets)
    pending = st.session_state.pop(PENDING_PROVINCE_KEY, None)
    if pending in set(layers.provinces["code"]):  # a click on the national status map: open that province
        st.session_state["prov"] = pending
    lang = st.session_state["lang"]
    side = st.sidebar
    side.radio(t("sidebar.language"), LANGS, key="lang", horizontal=True,
               format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])
    if st.session_state.get("ds") not in [""] + datasets:
        st.session_state["ds"] = ""
    side.selectbox(t("sidebar.dataset"), [""] + datasets, key="ds",
                   format_func=lambda name: searchable(t("dataset.preview") if name == PREVIEW else
                                                       (name or t("illustrative.badge"))), on_change=_forget_version)
    fw_names = dict(zip(reg.frameworks["id"], reg.frameworks[f"name_{lang}"], strict=True))
    auto = default_plan(reg, areas or {}, province=st.session_state.get("prov") or None,
                        commune=(st.session_state.get("commune") or None) if commune_page else None,
                        indicator=st.session_state.get("ind") or None)
    side.selectbox(t("sidebar.framework"), ["", *fw_names], key="fw",
                   format_func=lambda f: searchable(fw_names[f] if f else t("plan.auto", name=fw_names[auto])))
    ind_names = {i: searchable(name) for i, name in zip(reg.indicators["id"], reg.indicators[f"name_{lang}"],
                                                          strict=True)}  # one lookup, not 12
    side.selectbox(t("sidebar.indicator"), reg.indicator_ids(), key="ind", format_func=ind_names.get)
    cols = side.columns(2)
    cols[0].selectbox(t("sidebar.year"), [str(y) for y in YEARS], key="year")
    cols[1].radio(t("sidebar.target_year"), [str(y) for y in TARGET_YEARS], key="ty", horizontal=True)

    side.subheader(t("filter.header"))
    prov_names = dict(zip(layers.provinces["code"], layers.provinces["name"], strict=True))
    side.selectbox(t("filter.province"), [""] + sorted(prov_names, key=prov_names.get), key="prov",
                   format_func=lambda c: searchable(prov_names.get(c) or t("filter.all_country")))
    labels = {"all": t("opt.all"), "yes": t("yes"), "no": t("no")}
    side.radio(t("filter.em_area"), TRISTATE, key="em", horizontal=True, format_func=labels.get)
    side.radio(t("filter.border"), TRISTATE, key="border", horizontal=True, format_func=labels.get)
    side.radio(t("filter.coastal"), TRISTATE, key="coast", horizontal=True, format_func=labels.get)
    side.radio(t("filter.island"), TRISTATE, key="island", horizontal=True, format_func=labels.get)
    side.multiselect(t("filter.type"), list(COMMUNE_TYPES), key="types",
                     format_func=lambda c: searchable(t(f"type.{c}")))
    side.selectbox(t("uncertainty.min_n"), MIN_N_CHOICES, key="minn", help=t("uncertainty.min_n_help"))
    s = st.session_state
    return Selection(
        lang=s["lang"], framework=s["fw"] or auto, framework_auto=not s["fw"], indicator=s["ind"],
        year=int(s["year"]), target_year=int(s["ty"]),
        colour=s.get("colour", "status"), min_n=int(s.get("minn", "50")), smooth=s.get("smooth") == "1",
        filters=Filters(province=s["prov"] or None, em_area=_tristate(s["em"]), border=_tristate(s["border"]),
                        commune_types=tuple(s["types"]), coastal=_tristate(s["coast"]),
                        island=_tristate(s["island"]), include_partial=s.get("partial") == "1"),
    )
