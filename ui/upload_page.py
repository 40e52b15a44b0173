"""The "Your data" page: check an upload, preview it on the 2025 communes, save it, manage stored datasets.

The page's actions live in geo/ingest/service.py (``check_upload``, ``save_upload``, ``restore_dataset``,
``delete_dataset``, ``undelete_dataset``: plain functions raising a bilingual DataError); the ``show_*``
functions here only draw widgets that call them. Write actions run in button callbacks, because only a
callback may set the sidebar's dataset (``ds``/``dsv``) after the sidebar has been drawn; their outcome
is shown where the button is through one small "flash" entry in the session.

What the session keeps: ``st.session_state[UPLOAD_KEY]`` holds ONE ``CheckedUpload`` (counts, problems,
how the columns were read, the values carried to 2025); never the file's bytes, which stay in the file
uploader's own state and are read again when saving.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo import config
from geo.errors import DataError
from geo.indicators.aggregate import aggregate_rates
from geo.indicators.registry import Registry
from geo.ingest.carry import COVERAGE_ORDER
from geo.ingest.isolate import run_bounded
from geo.ingest.service import (
    LOAD_ALL,
    LOAD_VALID,
    CheckedUpload,
    Editor,
    check_attributes_file,
    check_upload,
    coverage_counts,
    dry_run,
    file_digest,
    save_with_summary,
    with_attributes,
)
from geo.ingest.summary import MODE_ADD, MODE_REPLACE, MODES, ImportSummary
from geo.ingest.vocab import ERAS
from geo.reporting.downloads import to_csv_bytes
from geo.store.accounts import BOOTSTRAP_NAME
from geo.store.datasets import StoreUnavailable
from geo.text.numbers import format_number
from geo.text.plain import plain
from ui import upload_mapping
from ui.cache import (
    build_template,
    get_accounts,
    get_store,
    load_aliases,
    load_crosswalk,
    load_layers,
    load_matcher,
    source_key,
)
from ui.process import rerun_slots
from ui.state import GOTO_MAP_KEY, MAPPING_USED_KEY, PREVIEW, UPLOAD_FLASH_KEY, UPLOAD_KEY, YEARS
from ui.tables import data_grid
from ui.widgets import show_table

# --- Session keys ------------------------------------------------------------------------------------

CHECK_TIMEOUT_S = 20.0  # a national old-code workbook takes ~10 s; hostile files are refused far sooner
CHECK_MAX_GROWTH_MB = 500.0


def _in_child(check, *args, **kwargs):
    """Run an upload check in a bounded child process (geo.ingest.isolate): other users' reruns keep the GIL,
    the memory goes back on exit, and this rerun's slot goes to the queue while it waits (ui/process.py)."""
    with rerun_slots().released():
        return run_bounded(check, *args, timeout_s=CHECK_TIMEOUT_S, max_growth_mb=CHECK_MAX_GROWTH_MB,
                           on_crash=lambda kind, text: _log.error("upload check crashed (%s):\n%s", kind, text),
                           **kwargs)
_log = logging.getLogger("vnchild")
FILE_KEY = "upload_file"


# --- Flash messages ----------------------------------------------------------------------------------


def flash(where: str, *, error: DataError | None = None, key: str = "", **fields: Any) -> None:
    st.session_state[UPLOAD_FLASH_KEY] = {"where": where, "error": error, "key": key, "fields": fields}


def show_flash(t, lang: str, where: str, *, keep: bool = False) -> dict | None:
    """Show the outcome of the last write action made at ``where``; returns it.

    Shown once, or with ``keep`` until the next action replaces it or another file is checked: a save
    is followed by reruns of its own (the sidebar switching to the new dataset) that must not hide it."""
    flash = st.session_state.get(UPLOAD_FLASH_KEY)
    if not flash or flash["where"] != where:
        return None
    if not keep:
        del st.session_state[UPLOAD_FLASH_KEY]
    if flash["error"] is not None:
        st.error(flash["error"].message(lang), icon=":material/block:")
    else:
        st.success(t(flash["key"], **flash["fields"]), icon=":material/check_circle:")
    return flash


# --- Step 1: template and file -----------------------------------------------------------------------


def template_button(ctx) -> None:
    """The template is written only when the button is clicked (deferred data)."""
    reg_dir, lang = str(config.registry_dir()), ctx.lang
    st.download_button(ctx.t("upload.download_template"),
                       lambda: build_template(reg_dir, ctx.layers.key, lang, ctx.layers.communes),
                       file_name=f"mau_so_lieu_{lang}.xlsx", on_click="ignore", icon=":material/download:",
                       key="upload_template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def upload_form(ctx) -> tuple[CheckedUpload | None, bytes | None]:
    """File, sheet and era; checks a new file (with progress) and returns the session's check and the bytes."""
    t = ctx.t
    file = st.file_uploader(t("upload.file_label"), key=FILE_KEY, help=t("upload.file_help"))
    c1, c2 = st.columns([1, 2])
    sheet = c1.text_input(t("upload.sheet_label"), key="upload_sheet")
    era = c2.radio(t("upload.era_label"), ERAS, key="upload_era", horizontal=True,
                   format_func=lambda e: t(f"upload.era_{e}"))
    checked: CheckedUpload | None = st.session_state.get(UPLOAD_KEY)
    if file is None:
        if checked is not None:
            st.info(t("upload.last_check", filename=plain(checked.filename)))
        return checked, None
    data = file.getvalue()
    mappings = upload_mapping.current_mappings()
    token = upload_mapping.mapping_token(mappings)
    if checked is None or checked.key != (file_digest(data), sheet.strip(), era) or (
            st.session_state.get(MAPPING_USED_KEY) != token):
        previous = checked
        checked = run_check(ctx, data, file.name, sheet, era, mappings)
        if checked is not None:
            if previous is None or previous.sha256 != checked.sha256:  # another file: not its save's outcome
                st.session_state.pop(UPLOAD_FLASH_KEY, None)
                st.session_state.pop(SAVED_SUMMARY_KEY, None)
            st.session_state[UPLOAD_KEY] = checked
            st.session_state[MAPPING_USED_KEY] = token
    return checked, data


def run_check(ctx, data: bytes, filename: str, sheet: str, era: str, mappings=()) -> CheckedUpload | None:
    t = ctx.t
    with st.status(t("upload.checking"), expanded=True) as status:
        bar = st.progress(0.0, text=t("upload.step_references"))
        try:
            ref, reg_dir = str(config.reference_dir()), str(config.registry_dir())
            crosswalk, matcher = load_crosswalk(ref, reg_dir), load_matcher(ref, reg_dir)
            aliases = load_aliases(reg_dir)
            bar.progress(0.1, text=f"{t('upload.step_validate')} {t('upload.step_carry')}")
            checked = _in_child(check_upload, data, filename, sheet=sheet, era=era, registry=ctx.reg,
                                crosswalk=crosswalk, matcher=matcher, aliases=aliases, mappings=list(mappings))
            bar.progress(1.0, text=t("upload.step_done"))
        except DataError as err:
            status.update(label=t("upload.check_failed"), state="error")
            st.error(err.message(ctx.lang))
            return None
        status.update(label=t("upload.checked", filename=plain(filename)), state="complete", expanded=False)
    return checked


# --- Step 2: the check -------------------------------------------------------------------------------


def describe_columns(checked: CheckedUpload, t, reg: Registry, lang: str) -> pd.DataFrame:
    """How each header was understood, in the user's words."""
    rows = []
    for col in checked.result.columns.itertuples(index=False):
        if isinstance(col.field, str):
            meaning = t(f"upload.field_{col.field}")
        elif isinstance(col.indicator, str):
            meaning = f"{reg.indicator(col.indicator)[f'short_{lang}']} — {t(f'upload.part_{col.part}')}"
        else:
            meaning = t("upload.column_ignored")
        rows.append((col.column, meaning))
    return pd.DataFrame(rows, columns=[t("upload.col_column"), t("upload.col_meaning")])


def problem_table(checked: CheckedUpload, t, lang: str) -> pd.DataFrame:
    table = checked.result.tabulate_problems(lang)
    table["severity"] = table["severity"].map({"error": t("upload.severity_error"),
                                               "warning": t("upload.severity_warning")})
    labels = {"row": t("upload.col_row"), "column": t("upload.col_column"), "value": t("upload.col_value"),
              "severity": t("upload.col_severity"), "message": t("upload.col_message"),
              "suggestions": t("upload.col_suggestions"), "code": t("upload.col_code")}
    return table[list(labels)].rename(columns=labels)


def show_check(ctx, checked: CheckedUpload) -> str | None:
    """Summary, columns, problems; returns how much may be loaded (LOAD_ALL / LOAD_VALID) or None."""
    t, lang, counts = ctx.t, ctx.lang, checked.counts
    st.subheader(t("upload.result_title", filename=plain(checked.filename)))
    summary = t("upload.summary", rows=format_number(counts.get("rows", 0), lang),
                valid=format_number(counts.get("rows_valid", 0), lang),
                errors=format_number(counts.get("errors", 0), lang),
                warnings=format_number(counts.get("warnings", 0), lang))
    clean = checked.result.is_clean and counts.get("rows_valid", 0) > 0
    (st.success if clean else st.warning)(summary)
    if not checked.result.columns.empty:
        with st.expander(t("upload.columns_title")):
            data_grid(describe_columns(checked, t, ctx.reg, lang), hide_index=True, width="stretch")
    if checked.result.problems:
        st.markdown(f"**{t('upload.problems_title')}**")
        table = problem_table(checked, t, lang)
        data_grid(table, hide_index=True, width="stretch", height=min(420, 40 + 35 * len(table)))
        st.download_button(t("upload.problems_download"), to_csv_bytes(table), mime="text/csv",
                           file_name=f"{Path(checked.filename).stem or 'file'}_problems_{lang}.csv",
                           on_click="ignore", icon=":material/download:", key="upload_problems_csv")
    if clean:
        st.success(t("upload.clean"))
        return LOAD_ALL
    valid = int(counts.get("rows_valid", 0))
    if valid == 0:
        st.error(t("upload.nothing_valid"))
        return None
    choice = st.radio(t("upload.choice_label"), ("fix", "valid"), key=f"upload_choice_{checked.sha256[:16]}",
                      format_func=lambda c: t("upload.choice_fix") if c == "fix"
                      else t("upload.choice_load_valid", valid=format_number(valid, lang)))
    if choice == "fix":
        st.info(t("upload.fix_hint"))
        return None
    return LOAD_VALID


# --- Step 3: preview ---------------------------------------------------------------------------------


def _show_preview_on_map(latest_year: int) -> None:
    """Point the sidebar at this session's unsaved upload (no login needed) and open the map."""
    st.session_state.update({"ds": PREVIEW, "dsv": "", GOTO_MAP_KEY: True})
    if str(latest_year) in {str(y) for y in YEARS}:
        st.session_state["year"] = str(latest_year)


def show_preview(ctx, checked: CheckedUpload) -> bool:
    """The values as they would be stored, on the 2025 communes; False when there is nothing to store."""
    t, lang, values = ctx.t, ctx.lang, checked.values
    st.subheader(t("upload.preview_title"))
    if values.empty:
        st.warning(t("upload.preview_empty"))
        return False
    years = sorted(int(y) for y in values["year"].unique())
    st.caption(t("upload.preview_summary", values=format_number(len(values), lang),
                 communes=format_number(values["code"].nunique(), lang), years=", ".join(map(str, years))))
    if checked.pre2025_rows:
        st.info(t("upload.crosswalk_note"))
    st.button(t("upload.preview_on_map"), icon=":material/map:", key="preview_on_map", on_click=_show_preview_on_map,
              args=(years[-1],))
    if st.session_state.pop(GOTO_MAP_KEY, False):
        st.switch_page("views/map.py")
    st.markdown(f"**{t('upload.coverage_title')}**")
    cols = st.columns(len(COVERAGE_ORDER))
    for col, (level, n) in zip(cols, coverage_counts(checked).items(), strict=True):
        col.metric(t(f"coverage.{level}"), format_number(n, lang), border=True)
    skipped = checked.carried.skipped if checked.carried is not None else pd.DataFrame()
    if len(skipped):
        st.warning(t("upload.skipped", n=format_number(len(skipped), lang)))
        with st.expander(t("upload.skipped_title")):
            shown = skipped.assign(reason=skipped["reason"].map(lambda r: t(f"upload.skip_{r}")))
            data_grid(shown.rename(columns={
                "old_code": t("upload.col_old_code"), "new_code": t("upload.col_new_code"),
                "year": t("upload.col_year"), "indicator": t("col.indicator"), "reason": t("upload.col_reason"),
                "source_row": t("upload.col_row")}), hide_index=True, width="stretch")
    summary = aggregate_rates(values, by=["indicator", "year"])
    summary["indicator"] = summary["indicator"].map(
        lambda i: ctx.reg.indicator(i)[f"short_{lang}"] if i in ctx.reg.indicator_ids() else i)
    labels = {"indicator": t("col.indicator"), "year": t("upload.col_year"), "n_reported": t("col.n_reporting"),
              "rate": t("upload.col_aggregate")}
    shown = summary[list(labels)].rename(columns=labels)
    show_table(shown, lang, {labels["n_reported"]: "int", labels["rate"]: "num1"})
    return True


# --- Step 4: save ------------------------------------------------------------------------------------


def sign_in(where: str) -> Editor:
    """The editor typed at ``where`` (login name + password), signed in for this one action.

    The password is cleared from the session at once, whatever the outcome: it is never kept for a second
    action, never in a session-state dump. An empty login name means the bootstrap admin.
    """
    s = st.session_state
    password = s.get(f"{where}_password", "")
    s[f"{where}_password"] = ""
    url = config.store_url()
    account = get_accounts(url).authenticate(s.get(f"{where}_user", "").strip() or BOOTSTRAP_NAME, password,
                                             bootstrap_password=config.editor_password())
    ref = str(config.reference_dir())
    layers = load_layers(ref, str(config.cache_dir()), str(config.static_dir()), source_key(ref))
    return Editor(account, get_accounts(url), layers.communes.set_index("code")["province_code"],
                  dict(zip(layers.provinces["code"], layers.provinces["name"], strict=True)))


def writes_enabled() -> bool:
    """Saving is possible with the bootstrap password or once the store has accounts."""
    if config.editor_password() is not None:
        return True
    try:
        return get_accounts(config.store_url()).has_users()
    except DataError:
        return False  # the store is down: the page says so once, elsewhere


def focus_year(years) -> None:
    """Open the map on a year the data has: the latest one the sidebar offers, unless the current one has data."""
    offered = sorted({str(int(y)) for y in years} & {str(y) for y in YEARS})
    if offered and st.session_state.get("year") not in offered:
        st.session_state["year"] = offered[-1]


def _on_save(loaded: str) -> None:
    s = st.session_state
    s.pop("upload_map_saved", None)
    s.pop(SAVED_SUMMARY_KEY, None)
    file = s.get(FILE_KEY)
    try:
        editor = sign_in("upload")
        saved = save_with_summary(get_store(config.store_url()), s.get(UPLOAD_KEY), name=s.get("upload_name", ""),
                                  uploader=s.get("upload_by", ""), editor=editor,
                                  original=file.getvalue() if file is not None else None, loaded=loaded,
                                  mode=s.get(MODE_KEY, MODE_ADD), confirm_replace=bool(s.get(CONFIRM_KEY)))
    except DataError as err:
        flash("save", error=err)
        return
    name, version = saved.name, saved.version
    s[SAVED_SUMMARY_KEY] = saved.summary
    s["ds"], s["dsv"] = name, ""  # the sidebar shows the new dataset at its latest version
    focus_year(s[UPLOAD_KEY].values["year"].unique())
    try:  # the mapping this file was read with, when the user named it (same sign-in)
        mapping = upload_mapping.save_mapping_after(get_store(config.store_url()), editor, s[UPLOAD_KEY],
                                                    s.get("upload_map_name", ""))
    except DataError as err:
        flash("save", error=err)
        return
    if mapping:
        s["upload_map_saved"] = mapping
    flash("save", key="store.saved", name=name, version=version)


def show_save(ctx, checked: CheckedUpload, data: bytes | None, loaded: str, blocked: bool = False) -> None:
    """The save form; ``blocked`` while something still needs the user's confirmation."""
    t = ctx.t
    st.subheader(t("store.title"))
    configured = writes_enabled()
    if not configured:
        st.warning(t("store.password_not_configured"), icon=":material/lock:")
    elif data is None:
        st.info(t("store.need_file"))
    if blocked:
        st.warning(t("upload.map.blocked"), icon=":material/front_hand:")
    disabled = not configured or data is None or blocked
    name = st.text_input(t("store.name_label"), key="upload_name", max_chars=80, disabled=disabled,
                         placeholder=t("store.name_placeholder"))
    existing = _latest_versions(ctx.lang)
    if name.strip() and name.strip() in existing:
        st.caption(t("store.name_exists", name=name.strip(), version=existing[name.strip()] + 1))
    if checked.result.source.get("mapping") == "-":  # the user's own mapping, not saved yet
        st.text_input(t("upload.map.name_label"), key="upload_map_name", max_chars=80, disabled=disabled,
                      help=t("upload.map.name_help"))
    ready = import_summary_panel(ctx, checked, name, exists=name.strip() in existing)
    disabled = disabled or not ready
    c0, c1, c2 = st.columns(3)
    c0.text_input(t("store.user_label"), key="upload_user", max_chars=40, disabled=disabled)
    c1.text_input(t("store.uploader_label"), key="upload_by", max_chars=200, disabled=disabled)
    c2.text_input(t("store.password_label"), key="upload_password", type="password", disabled=disabled)
    st.button(t("store.save_button"), key="upload_save", type="primary", disabled=disabled, on_click=_on_save,
              args=(loaded,), icon=":material/save:")
    flash = show_flash(t, ctx.lang, "save", keep=True)
    saved = st.session_state.get(SAVED_SUMMARY_KEY)
    if flash and flash["error"] is None and saved is not None:
        show_import_summary(ctx, saved, saved=True)
    if flash and flash["error"] is None and st.session_state.get("upload_map_saved"):
        st.success(t("upload.map.saved", name=plain(st.session_state["upload_map_saved"])),
                   icon=":material/explore:")
    if flash and flash["error"] is None and st.session_state.get("ds"):
        st.page_link("views/map.py", label=t("store.view_on_map"), icon=":material/map:")


# --- Attributes (in the data file, or a separate attributes file) ------------------------------------------

ATTR_FILE_KEY = "attr_file"


def attributes_form(ctx, checked: CheckedUpload) -> CheckedUpload:
    """What the data file says about its communes, and an optional attributes file; returns the upload."""
    t, lang = ctx.t, ctx.lang
    st.subheader(t("attr.title"))
    file = st.file_uploader(t("attr.file_label"), key=ATTR_FILE_KEY, help=t("attr.file_help"))
    if file is not None:
        data = file.getvalue()
        digest = file_digest(data)
        if st.session_state.get("attr_sha") != (digest, checked.sha256):
            try:
                ref, reg_dir = str(config.reference_dir()), str(config.registry_dir())
                found = _in_child(check_attributes_file, data, file.name, aliases=load_aliases(reg_dir),
                                  crosswalk=load_crosswalk(ref, reg_dir))
            except DataError as err:
                st.error(err.message(lang))
                return checked
            checked = with_attributes(checked, found)
            st.session_state[UPLOAD_KEY] = checked
            st.session_state["attr_sha"] = (digest, checked.sha256)
    found = checked.attributes
    if found is None or not found.found:
        st.caption(t("attr.none"))
        return checked
    names = ", ".join(t(f"attr.name.{c}") for c in found.columns)
    st.success(t("attr.found", n=format_number(len(found.frame), lang), names=names))
    if found.old_code_rows:
        st.warning(t("attr.old_codes", n=format_number(found.old_code_rows, lang)))
    if found.problems:
        problems = pd.DataFrame(found.problems)
        st.dataframe(problems[["row", "column", "value", f"reason_{lang}"]].rename(columns={
            "row": t("upload.col_row"), "column": t("attr.col_column"), "value": t("attr.col_value"),
            f"reason_{lang}": t("upload.col_reason")}), hide_index=True, width="stretch")
    return checked


# --- The import summary (dry run before saving, the same after) --------------------------------------------

MODE_KEY, CONFIRM_KEY = "upload_mode", "upload_replace_ok"
SAVED_SUMMARY_KEY = "upload_saved_summary"  # the last save's ImportSummary, shown with the save's message


def import_summary_panel(ctx, checked: CheckedUpload, name: str, *, exists: bool) -> bool:
    """Add or replace, and what saving would do (dry run); False while a replacement is not confirmed."""
    t = ctx.t
    if not name.strip():
        return True
    if exists:
        st.radio(t("summary.mode_label"), MODES, key=MODE_KEY, horizontal=True,
                 format_func=lambda m: t(f"summary.mode_{m}"))
    mode = st.session_state.get(MODE_KEY, MODE_ADD) if exists else MODE_ADD
    try:
        summary = dry_run(get_store(config.store_url()), checked, name, mode=mode)
    except DataError as err:
        st.warning(err.message(ctx.lang))
        return False
    show_import_summary(ctx, summary, saved=False)
    if mode == MODE_REPLACE:
        return st.checkbox(t("summary.confirm_replace", n=summary.totals["removed"]), key=CONFIRM_KEY)
    return True


def show_import_summary(ctx, summary: ImportSummary, *, saved: bool) -> None:
    """Per indicator and year: new / changed / unchanged / ignored (and kept or removed), then the conflicts."""
    t, lang = ctx.t, ctx.lang
    against = t("summary.against_none") if summary.against is None else t("summary.against", version=summary.against)
    st.markdown(f"**{t('summary.saved_title' if saved else 'summary.dry_run_title')}** — {against}")
    table = summary.table.copy()
    table["indicator"] = table["indicator"].map(
        lambda i: ctx.reg.indicator(i)[f"short_{lang}"] if i in ctx.reg.indicator_ids() else i)
    other = "kept" if summary.mode == MODE_ADD else "removed"
    columns = ["indicator", "year", "new", "changed", "unchanged", "ignored", other]
    labels = {c: t(f"summary.col_{c}") for c in columns}
    shown = table[columns].rename(columns=labels)
    show_table(shown, lang, {labels[c]: "int" for c in columns[2:]})
    if summary.rows_not_loaded:
        st.caption(t("summary.rows_not_loaded", n=format_number(summary.rows_not_loaded, lang)))
    if len(summary.conflicts):
        with st.expander(t("summary.conflicts", n=format_number(len(summary.conflicts), lang))):
            conflicts = summary.conflicts.assign(reason=summary.conflicts["reason"].map(
                lambda r: t(f"upload.skip_{r}")))
            st.dataframe(conflicts.rename(columns={
                "code": t("upload.col_old_code"), "new_code": t("upload.col_new_code"), "year": t("upload.col_year"),
                "indicator": t("col.indicator"), "reason": t("upload.col_reason"), "source_row": t("upload.col_row")}),
                hide_index=True, width="stretch")


def _latest_versions(lang: str) -> dict[str, int]:
    try:
        listing = get_store(config.store_url()).list_datasets(include_deleted=True)
    except StoreUnavailable:
        return {}  # said once, in the sidebar and by the list of stored datasets
    except DataError as err:
        st.error(err.message(lang))
        return {}
    return dict(zip(listing["name"], listing["latest_version"].astype(int), strict=True))
