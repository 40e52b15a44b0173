"""The column-mapping step of the "Your data" page and the list of what the user must confirm.

Widgets only: the guesses, suggestions and the mapping itself are geo/ingest/mapping.py; what needs
confirmation is geo.ingest.service.needs_confirmation; saved mappings live in the store (geo/store/mappings.py).
The session keeps ONE small ``ColumnMapping`` (the user's roles for one header signature), never the file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import config
from geo.errors import DataError
from geo.ingest.mapping import ATTRIBUTE, ColumnMapping, attribute_field, role_options
from geo.ingest.service import CheckedUpload, needs_confirmation, saved_mappings
from geo.ingest.vocab import ID_FIELDS, SUFFIX_SEP
from geo.text.plain import plain
from ui.cache import get_store, load_aliases
from ui.state import MAPPING_KEY


def role_label(role: str, t, reg, lang: str) -> str:
    """A role in the user's words: "Mã xã 2025", "SDD nhẹ cân (dưới 5 tuổi) — mẫu số"."""
    if role in ID_FIELDS:
        return t(f"upload.field_{role}")
    if role == ATTRIBUTE:
        return t("upload.map.role_attribute")
    if attribute_field(role):
        return f'{t("upload.map.role_attribute")}: {t(f"attr.name.{attribute_field(role)}")}'
    ind, part = role.split(SUFFIX_SEP, 1)
    name = reg.indicator(ind)[f"short_{lang}"] if ind in reg.indicator_ids() else ind
    return t("upload.map.role_part", indicator=name, part=t(f"upload.part_{part}"))


def current_mappings() -> list[ColumnMapping]:
    """The session's own mapping first, then every mapping saved in the store (the check picks the one whose
    header signature is the file's); an unavailable store only means no saved mapping is offered."""
    mine = st.session_state.get(MAPPING_KEY)
    try:
        saved = saved_mappings(get_store(config.store_url()))
    except DataError:
        saved = []
    return ([mine] if mine is not None else []) + saved


def mapping_token(mappings: list[ColumnMapping]) -> tuple:
    """What a check depends on of the mappings (a new or changed mapping checks the file again)."""
    return tuple((m.name, m.signature, m.roles) for m in mappings)


def _used_roles(checked: CheckedUpload) -> list[tuple[str, ...]]:
    """Per column, the roles the check used (the session mapping's own, attributes included, when it applied)."""
    mine = st.session_state.get(MAPPING_KEY)
    signature = checked.result.source.get("signature")
    guesses = checked.result.guesses
    if mine is not None and mine.signature == signature and checked.result.source.get("mapping"):
        return [mine.roles[g.position] if g.position < len(mine.roles) else () for g in guesses]
    used: list[list[str]] = [[] for _ in guesses]
    for col in checked.result.columns.itertuples(index=False):
        if col.position >= len(used):
            continue
        if isinstance(col.field, str):
            used[col.position].append(col.field)
        elif isinstance(col.indicator, str):
            used[col.position].append(f"{col.indicator}{SUFFIX_SEP}{col.part}")
    for g in guesses:  # attribute columns are read apart (geo/ingest/attributes.py), as the guess says
        if not used[g.position] and any(attribute_field(r) for r in g.roles):
            used[g.position] = list(g.roles)
    return [tuple(r) for r in used]


def _key(checked: CheckedUpload, position: int) -> str:
    return f"upload_map_{checked.result.source.get('signature', '')[:12]}_{position}"


def _on_apply(signature: str, keys: list[str]) -> None:
    roles = tuple(tuple(st.session_state.get(k) or ()) for k in keys)
    st.session_state[MAPPING_KEY] = ColumnMapping(signature, roles)


def show_mapping(ctx, checked: CheckedUpload) -> None:
    """Each column with the app's guess (or the mapping in use), changeable; unknown ones with a suggestion."""
    guesses = checked.result.guesses
    signature = checked.result.source.get("signature")
    if not guesses or not signature:
        return
    t, lang = ctx.t, ctx.lang
    used = _used_roles(checked)
    name = checked.result.source.get("mapping")
    unknown = any(g.suggestion and not g.roles for g in guesses)
    with st.expander(t("upload.map.title"), expanded=bool(name) or unknown or not checked.result.is_clean,
                     icon="🧭"):
        if name and name != "-":
            st.info(t("upload.map.applied_saved", name=plain(name)))
        elif name:
            st.caption(t("upload.map.applied_user"))
        st.caption(t("upload.map.intro"))
        options = role_options(load_aliases(str(config.registry_dir())))
        keys = []
        with st.form(key=f"upload_map_form_{signature[:12]}", border=False):
            for g in guesses:
                key = _key(checked, g.position)
                keys.append(key)
                header = g.header or f"#{g.position + 1}"
                st.multiselect(t("upload.map.role_label", column=plain(header)), options,
                               default=[r for r in used[g.position] if r in options], key=key,
                               format_func=lambda r: role_label(r, t, ctx.reg, lang))
                if g.suggestion and not used[g.position]:
                    shown = ", ".join(role_label(r, t, ctx.reg, lang) for r in g.suggestion)
                    st.caption(t("upload.map.suggestion", column=plain(header), roles=shown,
                                 entry=g.suggested_from.replace("_", " ")))
            st.form_submit_button(t("upload.map.apply"), on_click=_on_apply, args=(signature, keys), icon="✅",
                                  type="primary", key="upload_map_apply")


def show_confirmations(ctx, checked: CheckedUpload) -> bool:
    """What the user must settle before saving, one line each; True when nothing is left."""
    items = needs_confirmation(checked)
    if not items:
        return True
    t, lang = ctx.t, ctx.lang
    lines = []
    for item in items:
        if item["kind"] == "units":
            units = t("upload.era_pre2025" if item["proposal"] == "old" else "upload.era_2025")
            lines.append(t("upload.map.unsettled_units", units=units, n=f"{item['rows']:,}"))
        elif item["kind"] == "column":
            roles = ", ".join(role_label(r, t, ctx.reg, lang) for r in item["suggestion"])
            lines.append(t("upload.map.unsettled_column", column=plain(item["column"]), roles=roles))
        else:
            lines.append(t("upload.map.unsettled_row", row=item["row"],
                           reason=item["reason_vi"] if lang == "vi" else item["reason_en"]))
    st.warning(t("upload.map.unsettled", n=len(items)), icon="✋")
    st.dataframe(pd.DataFrame({t("upload.col_message"): lines}), hide_index=True, width="stretch")
    return False


def save_mapping_after(store, editor, checked: CheckedUpload, name: str) -> str | None:
    """Save the session's mapping under ``name`` when one was used for this file; returns the saved name."""
    from geo.ingest.service import save_mapping

    mine = st.session_state.get(MAPPING_KEY)
    if not name.strip() or mine is None or mine.signature != checked.result.source.get("signature"):
        return None
    headers = [g.header for g in checked.result.guesses]
    return save_mapping(store, mine, name=name, headers=headers, editor=editor).name
