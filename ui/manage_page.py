"""The data page's second tab: stored datasets — view, restore, delete, undelete — and the audit log.

Streamlit glue only; the store and the import service do the work (geo/store, geo/ingest/service.py).
"""


from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo import config
from geo.errors import DataError
from geo.ingest.service import (
    delete_dataset,
    restore_dataset,
    undelete_dataset,
)
from geo.text.fold import searchable
from geo.text.numbers import format_number
from geo.text.plain import plain
from ui.cache import (
    get_accounts,
    get_store,
    load_stored,
)
from ui.context import explain_store_error
from ui.tables import data_grid
from ui.upload_page import flash, focus_year, show_flash, sign_in, writes_enabled

# --- Manage stored datasets --------------------------------------------------------------------------


def _when(moment) -> str:
    return "" if pd.isna(moment) else pd.Timestamp(moment).strftime("%Y-%m-%d %H:%M UTC")


def _note(meta: dict, t, lang: str) -> str:
    counts = meta.get("validation") or {}
    if not counts:
        return ""
    basis = meta.get("basis")
    text = t("store.note", valid=format_number(counts.get("rows_valid", 0), lang),
             rows=format_number(counts.get("rows", 0), lang))
    return f"{text}; {t(f'store.basis_{basis}')}" if basis in ("2025", "pre2025", "mixed") else text


def dataset_table(listing: pd.DataFrame, t) -> pd.DataFrame:
    out = pd.DataFrame({
        t("store.col_name"): listing["name"], t("store.col_latest"): listing["latest_version"],
        t("store.col_updated"): listing["updated_at"].map(_when), t("store.col_uploader"): listing["uploader"],
        t("store.col_rows"): listing["rows"], t("store.col_file"): listing["original_filename"],
        t("store.col_state"): listing["deleted"].map(lambda d: t("store.state_deleted") if d else t("store.state_ok")),
    })
    return out


def version_table(versions: pd.DataFrame, t, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("store.col_version"): versions["version"], t("store.col_created"): versions["created_at"].map(_when),
        t("store.col_uploader"): versions["uploader"], t("store.col_file"): versions["original_filename"],
        t("store.col_rows"): versions["rows"],
        t("store.col_restored_from"): versions["restored_from"].map(lambda v: "" if pd.isna(v) else str(int(v))),
        t("store.col_note"): versions["meta"].map(lambda m: _note(m or {}, t, lang)),
    }).iloc[::-1]


def _editor_inputs() -> dict[str, Any]:
    return {"editor": sign_in("manage")}


def _picked() -> tuple[str, int]:
    """The dataset and version chosen now (read in the callback: a button's args date from its last drawing)."""
    name = st.session_state.get("manage_ds", "")
    return name, int(st.session_state.get(f"manage_version_{name}") or 0)


def _on_view() -> None:
    name, version = _picked()
    st.session_state["ds"], st.session_state["dsv"] = name, str(version)
    try:
        versions = get_store(config.store_url()).list_versions(name)
        meta = versions.loc[versions["version"] == version, "meta"]
        focus_year(meta.iloc[0].get("years", []) if len(meta) else [])
    except DataError:
        pass  # the map page reports store problems itself


def _on_restore() -> None:
    name, version = _picked()
    try:
        new = restore_dataset(get_store(config.store_url()), name, version,
                              uploader=st.session_state.get("manage_by", ""), **_editor_inputs())
    except DataError as err:
        flash("manage", error=err)
        return
    if st.session_state.get("ds") == name:
        st.session_state["dsv"] = ""  # the restored copy is now the latest
    flash("manage", key="store.restored", name=name, version=version, new=new)


def _on_delete() -> None:
    s = st.session_state
    name = s.get("manage_ds", "")
    try:
        delete_dataset(get_store(config.store_url()), name, confirm=s.get("manage_confirm", ""),
                       by=s.get("manage_by", ""), **_editor_inputs())
    except DataError as err:
        flash("manage", error=err)
        return
    s["manage_confirm"] = ""
    if s.get("ds") == name:
        s["ds"], s["dsv"] = "", ""
    flash("manage", key="store.deleted", name=name)


def _on_undelete() -> None:
    name = st.session_state.get("manage_ds", "")
    try:
        undelete_dataset(get_store(config.store_url()), name, **_editor_inputs())
    except DataError as err:
        flash("manage", error=err)
        return
    flash("manage", key="store.undeleted", name=name)


def show_manage(ctx) -> None:
    """Stored datasets and their versions: view, download the original, restore, delete, undelete."""
    t, lang = ctx.t, ctx.lang
    url = config.store_url()
    try:
        store = get_store(url)
        listing = store.list_datasets(include_deleted=True)
    except DataError as err:
        st.error(explain_store_error(t, err))
        return
    show_flash(t, lang, "manage")
    if listing.empty:
        st.info(t("store.empty"))
        return
    data_grid(dataset_table(listing, t), hide_index=True, width="stretch")
    deleted = dict(zip(listing["name"], listing["deleted"], strict=True))
    name = st.selectbox(t("store.pick_dataset"), listing["name"].tolist(), key="manage_ds",
                        format_func=lambda n: searchable(f"{n} — {t('store.state_deleted')}" if deleted.get(n) else n))
    try:
        versions = store.list_versions(name)
    except DataError as err:
        st.error(err.message(lang))
        return
    st.markdown(f"**{t('store.versions_title', name=plain(name))}**")
    data_grid(version_table(versions, t, lang), hide_index=True, width="stretch")

    show_audit(ctx, name)
    configured = writes_enabled()
    if not configured:
        st.warning(t("store.password_not_configured"), icon=":material/lock:")
    if deleted[name]:
        st.warning(t("store.deleted_note", name=plain(name)))
        c1, c2 = st.columns(2)
        c1.text_input(t("store.user_label"), key="manage_user", max_chars=40, disabled=not configured)
        c2.text_input(t("store.password_label"), key="manage_password", type="password", disabled=not configured)
        st.button(t("store.undelete_button"), key="manage_undelete", on_click=_on_undelete,
                  disabled=not configured, icon=":material/restore:")
        return

    numbers = versions["version"].astype(int).tolist()[::-1]
    files = dict(zip(versions["version"].astype(int), versions["original_filename"], strict=True))
    version = st.selectbox(t("store.pick_version"), numbers, key=f"manage_version_{name}",
                           format_func=lambda v: t("store.version_option", version=v, filename=files[v]))
    c1, c2 = st.columns(2)
    if c1.button(t("store.view_button"), key="manage_view", on_click=_on_view, icon=":material/map:"):
        st.switch_page("views/map.py")
    c2.download_button(t("store.download_original"), lambda: load_stored(url, name, version).original_bytes(),
                       file_name=files[version] or "original", on_click="ignore", key="manage_download",
                       icon=":material/download:")

    st.markdown(f"**{t('store.editor_title')}**")
    c0, c1, c2 = st.columns(3)
    c0.text_input(t("store.user_label"), key="manage_user", max_chars=40, disabled=not configured)
    c1.text_input(t("store.uploader_label"), key="manage_by", max_chars=200, disabled=not configured)
    c2.text_input(t("store.password_label"), key="manage_password", type="password", disabled=not configured)
    st.button(t("store.restore_button", version=version), key="manage_restore", on_click=_on_restore,
              disabled=not configured, icon=":material/history:")
    st.text_input(t("store.delete_confirm_label", name=name), key="manage_confirm", disabled=not configured)
    st.button(t("store.delete_button"), key="manage_delete", on_click=_on_delete,
              disabled=not configured, icon=":material/delete:")


def show_audit(ctx, name: str) -> None:
    """Who saved, restored or deleted which version of ``name``, and when (newest first)."""
    t = ctx.t
    with st.expander(t("store.audit_title"), icon=":material/receipt_long:"):
        try:
            log = get_accounts(config.store_url()).list_audit(dataset=name, limit=100)
        except DataError as err:
            st.error(err.message(ctx.lang))
            return
        if log.empty:
            st.caption(t("store.audit_empty"))
            return
        data_grid(pd.DataFrame({
            t("store.col_at"): log["at"].map(_when), t("store.col_actor"): log["actor"],
            t("store.col_action"): log["action"], t("store.col_version"): log["version"],
        }), hide_index=True, width="stretch")
