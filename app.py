"""Entry point: page frame, shared sidebar header and error boundary.

Pages live in views/, not pages/: Streamlit treats a pages/ folder next to the entry script as the
legacy multipage mode and would run those files on their own, without this frame.
"""

import streamlit as st

from geo.errors import DataError
from ui.i18n import translator

st.set_page_config(page_title="Bản đồ mục tiêu vì trẻ em / Children's targets map", page_icon="🗺️",
                   layout="wide")
t = translator()
page = st.navigation([st.Page("views/map.py", title=t("nav.map"), icon="🗺️", default=True)])
st.sidebar.markdown(f"### {t('app.title')}")
st.sidebar.caption(t("app.subtitle"))
try:
    page.run()
except DataError as err:
    st.error(f"**{t('error.title')}** — {err.message(st.session_state.get('lang', 'vi'))}")
