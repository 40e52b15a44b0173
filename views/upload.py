"""Your data: check a file, preview it on the 2025 communes, save it to the shared store, manage stored datasets."""

import streamlit as st

from ui import manage_page
from ui import upload_mapping as mapping
from ui import upload_page as up
from ui.context import load_context

ctx = load_context()
t = ctx.t
st.title(t("upload.title"))
tab_upload, tab_manage = st.tabs([t("upload.tab_upload"), t("store.manage_title")])
with tab_upload:
    st.markdown(t("upload.intro"))
    up.template_button(ctx)
    checked, data = up.upload_form(ctx)
    if checked is not None:
        mapping.show_mapping(ctx, checked)
    loaded = up.show_check(ctx, checked) if checked is not None else None
    settled = mapping.show_confirmations(ctx, checked) if checked is not None else True
    if loaded and up.show_preview(ctx, checked):
        checked = up.attributes_form(ctx, checked)
        up.show_save(ctx, checked, data, loaded, blocked=not settled)
with tab_manage:
    manage_page.show_manage(ctx)
