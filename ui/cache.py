"""Every cached loader of the app, in one place. Loaders take strings so the cache key is explicit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geo import config
from geo.geometry import boundaries
from geo.geometry.boundaries import Layers
from geo.indicators import registry
from geo.indicators.registry import YES_NO
from geo.ingest.crosswalk import Crosswalk
from geo.ingest.crosswalk import load_crosswalk as read_crosswalk
from geo.ingest.headers import COLUMNS_FILE, HeaderAliases, load_column_aliases
from geo.ingest.match import CommuneMatcher, build_matcher
from geo.ingest.template import build_template_xlsx
from geo.synthetic import illustrative
from geo.text import catalogue as strings


@st.cache_resource(show_spinner=False)
def load_strings(path: str) -> dict[str, dict[str, str]]:
    return strings.load_strings(path)


@st.cache_resource(show_spinner=False)
def load_registry(data_dir: str) -> registry.Registry:
    return registry.load_registry(data_dir)


@st.cache_resource(show_spinner=False)
def source_key(reference_dir: str) -> str:
    """Hashing the 83 MB source takes a moment: once per process."""
    return boundaries.source_key(reference_dir)


@st.cache_resource(show_spinner=False)
def load_layers(reference_dir: str, cache_dir: str, static_dir: str, key: str) -> Layers:
    """Attribute tables of the derived layers; `key` ties the entry to one version of the source."""
    return boundaries.load_layers(reference_dir, cache_dir, static_dir, key)


@st.cache_resource(show_spinner=False)
def load_illustrative(reference_dir: str, layers_key: str) -> illustrative.IllustrativeDataset:
    """The built-in illustrative dataset (deterministic; generated once per process)."""
    layers = boundaries.load_layers(reference_dir, str(config.cache_dir()), str(config.static_dir()),
                                    layers_key)
    return illustrative.illustrative_for(reference_dir, layers.communes)


@st.cache_resource(show_spinner=False)
def get_store(url: str):
    """One connection pool per store URL for the whole process."""
    from geo.store.datasets import open_store

    return open_store(url)


@st.cache_resource(show_spinner=False)
def get_accounts(url: str):
    """Editor accounts, login throttling and the audit log, on the same database as the datasets."""
    from geo.store.accounts import open_accounts

    return open_accounts(get_store(url))


@st.cache_resource(show_spinner=False, max_entries=16)
def load_stored(url: str, name: str, version: int):
    """A stored dataset version; versions never change once written, so caching by number is safe."""
    return get_store(url).load_version(name, version)


def marked_values(dataset_key: str, layers_key: str, include_partial: bool, *, _values, _cache: bool = True):
    """(the dataset's values marked with coverage and basis, whether any is partial), once per version and choice.

    The partial test scans every value (hundreds of thousands of rows), so it is cached with the marks rather
    than redone by the sidebar on each rerun.
    """
    if not _cache:  # this session's unsaved upload: small, and not shared
        return _mark(_values, include_partial)
    return _marked(dataset_key, layers_key, include_partial, _values=_values)


def _mark(values, include_partial: bool):
    from geo.indicators.coverage import PARTIAL_COVERAGE, mark_values

    marked = mark_values(values, include_partial=include_partial)
    return marked, bool((marked["coverage"] == PARTIAL_COVERAGE).any())


def communes_with_attributes(dataset_key: str, layers_key: str, *, _communes, _attributes, _cache: bool = True):
    """The boundary table with the dataset's attributes (geo.indicators.selection.attach_attributes), once per
    version: it was 6% of a rerun's server CPU under bench_load when done on every rerun."""
    from geo.indicators.selection import attach_attributes

    if not _cache:  # this session's unsaved upload
        return attach_attributes(_communes, _attributes)
    return _attached(dataset_key, layers_key, _communes=_communes, _attributes=_attributes)


@st.cache_resource(show_spinner=False, max_entries=8)
def _attached(dataset_key: str, layers_key: str, *, _communes, _attributes):
    from geo.indicators.selection import attach_attributes

    return attach_attributes(_communes, _attributes)


@st.cache_resource(show_spinner=False, max_entries=8)
def _marked(dataset_key: str, layers_key: str, include_partial: bool, *, _values):
    return _mark(_values, include_partial)


@st.cache_resource(show_spinner=False, max_entries=8)
def _by_indicator(data_key: str, *, _values) -> dict[str, pd.DataFrame]:
    return {str(ind): rows for ind, rows in _values.groupby("indicator", observed=True, sort=False)}


def indicator_values(data_key: str | None, values: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The rows of one indicator (every year), split once per dataset version and partial choice.

    Every page filters the ~280,000 national rows by indicator first (join, trends, ranking, equity): a scan
    of them was 10-15 ms each, several times a rerun. Shared, not copied: callers must not modify the frame.
    ``data_key`` None (this session's unsaved upload): filtered every time.
    """
    if data_key is None:
        return values[values["indicator"] == indicator]
    return _by_indicator(data_key, _values=values).get(indicator, values.iloc[0:0])


@st.cache_data(show_spinner=False, max_entries=64)
def equity_by_indicator(layers_key: str, dataset: str, framework: str, year: int, target_year: int, filters,
                        *, _communes, _values, _reg) -> list[dict]:
    """Group-vs-rest comparison for every indicator and priority group, cached per view.

    One pass (compare_groups_many): the 24 indicators × 4 groups one at a time were 2.5 s of a province change
    on this page.
    """
    from geo.analysis.equity import GROUP_COLUMNS, compare_groups_many
    from geo.analysis.overview import list_indicators

    metas = list_indicators(_reg)
    targets = {m["id"]: _reg.target(framework, m["id"], target_year) for m in metas}
    # every priority group of Decision 1183/QĐ-TTg we can tell
    by_group = compare_groups_many(_communes, _values, metas, targets, year, groups=GROUP_COLUMNS)
    return [{"indicator": m["id"], "group": group, **by_group[group][k]}
            for k, m in enumerate(metas) for group in GROUP_COLUMNS]


@st.cache_data(show_spinner=False, max_entries=256)
def commune_profile(dataset_key: str, code: str, framework: str, target_year: int, lang: str,
                    *, _communes, _values, _reg) -> dict:
    """Profile of one commune with its trend assessment (cached: reopening a profile is instant)."""
    from geo.analysis.profile import assess_history, profile_commune

    profile = profile_commune(code, _communes, _values, _reg, framework, lang=lang)
    profile["trend"] = assess_history(profile["history"], _reg, framework, target_year, profile["commune"])
    return profile


@st.cache_data(show_spinner=False, max_entries=512)
def yearly_rates(dataset_key: str, indicator: str, province: str, *, _values, _communes) -> pd.DataFrame:
    """Yearly rate (summed counts) of one indicator for a province, or the country when province is ''."""
    from geo.indicators.selection import in_codes
    from geo.indicators.trends import aggregate_by_year

    values = _values[_values["indicator"] == indicator]
    if province:
        values = values[in_codes(values["code"], _communes.loc[_communes["province_code"] == province, "code"])]
    return aggregate_by_year(values)


def ensure_layers(t) -> Layers:
    """Layers for the configured source; builds them with a progress display on a first start."""
    ref, cache, static = str(config.reference_dir()), str(config.cache_dir()), str(config.static_dir())
    key = source_key(ref)
    if not boundaries.layers_are_built(ref, cache, static, key):
        with st.status(t("build.title"), expanded=True) as status:
            bar = st.progress(0.0)

            def report(fraction: float, step: str) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=t(f"build.{step}"))

            boundaries.build_layers(ref, cache, static, progress=report)
            status.update(label=t("build.done"), state="complete", expanded=False)
    return load_layers(ref, cache, static, key)


# --- Upload: crosswalk, name matcher, header aliases, template ----------------------------------------


@st.cache_resource(show_spinner=False)
def load_crosswalk(reference_dir: str, registry_dir: str) -> Crosswalk:
    """The old → new commune crosswalk, with the registry's yes/no indicators checked against the rules."""
    reg = load_registry(registry_dir)
    yes_no = [i for i in reg.indicator_ids() if reg.indicator(i)["measure"] == YES_NO]
    return read_crosswalk(reference_dir, yes_no_indicators=yes_no)


@st.cache_resource(show_spinner=False)
def load_matcher(reference_dir: str, registry_dir: str) -> CommuneMatcher:
    """Code and name index of the 2025 and pre-2025 communes (about half a second to build)."""
    cw = load_crosswalk(reference_dir, registry_dir)
    return build_matcher(cw.new_units, cw)


@st.cache_resource(show_spinner=False)
def load_aliases(registry_dir: str) -> HeaderAliases:
    """Header aliases of data/upload_columns.csv, checked against the registry."""
    return load_column_aliases(load_registry(registry_dir), Path(registry_dir) / COLUMNS_FILE)


@st.cache_resource(show_spinner=False, max_entries=4)
def build_template(registry_dir: str, layers_key: str, lang: str, _communes: pd.DataFrame) -> bytes:
    """The XLSX template with the commune list, per language (half a second to write)."""
    return build_template_xlsx(load_registry(registry_dir), lang, _communes, aliases=load_aliases(registry_dir))


@st.cache_resource(show_spinner=False)
def plan_areas(reference_dir: str, registry_dir: str, layers_key: str) -> dict[str, frozenset[str]]:
    """2025 commune codes each provincial or (former) district plan applies to, from the crosswalk."""
    from geo.indicators.plans import plan_areas as derive
    from geo.reference.crosswalk_links import read_links
    from geo.reference.old_units import read_old_units

    links = read_links(reference_dir).merge(read_old_units(reference_dir)[["old_code", "district_code"]],
                                            on="old_code", how="inner", validate="many_to_one")
    layers = boundaries.load_layers(reference_dir, str(config.cache_dir()), str(config.static_dir()), layers_key)
    return derive(load_registry(registry_dir), layers.communes, links)


@st.cache_resource(show_spinner=False)
def plan_area_names(reference_dir: str, registry_dir: str) -> dict[str, str]:
    """Name of each sub-national plan's area: the 2025 province, or the former district (e.g. Huyện Tam Đường)."""
    from geo.reference.communes import read_provinces
    from geo.reference.old_units import read_old_units

    reg = load_registry(registry_dir)
    districts = read_old_units(reference_dir).drop_duplicates("district_code").set_index("district_code")
    provinces = read_provinces(reference_dir).set_index("code")["name"]
    names = {}
    for fid in reg.framework_ids():
        area = reg.framework_area(fid)
        if area is not None:
            kind, code = area
            names[fid] = str(provinces[code] if kind == "province" else districts.loc[code, "district_name"])
    return names


DECK_FILE = "deckgl-9.1.15.min.js"


@st.cache_resource(show_spinner=False)
def web_map_assets(static_dir: str, layers_key: str, _layers: Layers) -> dict[str, str]:
    """Static files of the browser map (deck.gl, the commune names, the place-name points and the
    neighbouring countries), published once per boundary version.

    They sit in the static folder so the browser fetches them once and the deployment's proxy serves
    them compressed (see deploy/nginx.conf).
    """
    import shutil

    from geo.geometry.boundaries import NEIGHBOURS_FILE
    from geo.geometry.context import NEIGHBOURS, write_context
    from geo.reporting.webmap import NAMES_FILE, write_names

    vendor = Path(static_dir) / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    target = vendor / DECK_FILE
    if not target.exists():
        shutil.copyfile(Path(__file__).parent / "assets" / "vendor" / DECK_FILE, target)
    names = Path(static_dir) / _layers.static_subdir / NAMES_FILE
    if not names.exists():
        write_names(_layers.communes, names)
    folder = Path(static_dir) / _layers.static_subdir
    if not (folder / NEIGHBOURS).exists():
        write_context(folder, _layers.national_geometry(), _layers.communes, _layers.provinces,
                      config.reference_dir() / NEIGHBOURS_FILE)
    return {"lib": f"app/static/vendor/{DECK_FILE}", "names": _layers.url(NAMES_FILE),
            "neighbours": _layers.url(NEIGHBOURS), "land": _layers.outline_url}


@st.cache_resource(show_spinner=False, max_entries=192)
def per_view(key: tuple, *, _compute):
    """A result that depends only on what `key` names (dataset version, indicator, year, target, ...).

    Shared, not copied (unpickling a 1.3 MB frame on every hit was 4% of a warm rerun): callers read it and
    cut copies from it (load_context's filter, a ranking's rows), never modify it.

    192 entries: a dataset's 24 indicators × 5 years for the map and the other pages stay warm (64 missed
    most clicks under bench_load); an assessed national frame is ~1.5 MB, so the cache stays under ~300 MB.

    Reruns that change nothing in the key (a filter, the colour mode, the language, a click) reuse it;
    the caller makes sure the key names everything `_compute` reads.
    """
    return _compute()


@st.cache_resource(show_spinner=False, max_entries=256)
def per_selection(key: tuple, *, _compute):
    """A view cut to the sidebar's filters (the selected communes, their assessed rows, what the figures leave
    out), shared and read-only like per_view: filtering and cutting the national frame on every rerun was a
    tenth of a warm rerun's server CPU. A province's cut is ~100 rows (~0.1 MB) and the whole country is the
    national frame itself, not a copy; only a national priority-group cut is large (≤ 1.3 MB)."""
    return _compute()


@st.cache_resource(show_spinner=False, max_entries=256)
def per_figure(key: tuple, *, _compute):
    """A chart figure built once per view and shared, not copied: st.plotly_chart only reads a figure (its
    to_dict copy), and building one was a third of an overview rerun (py-spy). The caller never modifies the
    result; exports, which resize and restyle, build their own."""
    return _compute()


@st.cache_data(show_spinner=False, max_entries=1024)
def per_summary(key: tuple, *, _compute):
    """per_view for small results (a row per indicator or province, a yearly series): more of them are kept,
    so a planner's or a meeting's usual views stay warm across sessions."""
    return _compute()
