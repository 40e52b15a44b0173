"""Entry point: page frame, shared sidebar header and error boundary.

Pages live in views/, not pages/: Streamlit treats a pages/ folder next to the entry script as the
legacy multipage mode and would run those files on their own, without this frame.
"""

import logging
from pathlib import Path

import streamlit as st

from geo import config
from geo.errors import DataError
from ui.cache import load_registry
from ui.i18n import translator
from ui.process import rerun_slots, tune_gc
from ui.state import share_link, write_to_url

# The tab icon is a local file: a Material icon as page_icon is fetched from fonts.gstatic.com (offline LAN).
st.set_page_config(page_title="Bản đồ mục tiêu vì trẻ em / Children's targets map",
                   page_icon=str(Path(__file__).parent / "ui" / "assets" / "icon.png"), layout="wide")
tune_gc()
t = translator()
page = st.navigation([
    st.Page("views/overview.py", title=t("nav.overview"), icon=":material/dashboard:", url_path="overview"),
    st.Page("views/map.py", title=t("nav.map"), icon=":material/map:", default=True),
    st.Page("views/lagging.py", title=t("nav.lagging"), icon=":material/table_rows:", url_path="lagging"),
    st.Page("views/profile.py", title=t("nav.profile"), icon=":material/home_pin:", url_path="profile"),
    st.Page("views/equity.py", title=t("nav.equity"), icon=":material/balance:", url_path="equity"),
    st.Page("views/funnel.py", title=t("nav.funnel"), icon=":material/filter_alt:", url_path="funnel"),
    st.Page("views/upload.py", title=t("nav.upload"), icon=":material/upload_file:", url_path="upload"),
])
st.sidebar.markdown(f"### {t('app.title')}")
st.sidebar.caption(t("app.subtitle"))
try:
    with rerun_slots().held():  # reruns queue for the core instead of all sharing it (ui/process.py)
        page.run()
        share_link(t, page.url_path, write_to_url(load_registry(str(config.registry_dir()))))
except DataError as err:
    st.error(f"**{t('error.title')}** — {err.message(st.session_state.get('lang', 'vi'))}")
except Exception as err:  # the boundary: a bilingual message and a log line, never a bare traceback
    logging.getLogger("vnchild").exception("unexpected error on page %s", page.url_path or "map")
    st.error(f"**{t('error.title')}** — {t('error.unexpected', kind=type(err).__name__)}")
