"""Service Planner in the browser: `streamlit run app.py`."""

import streamlit as st

from planner.ui import pages

st.set_page_config(page_title="Service Planner", page_icon="🛠", layout="wide")
st.navigation(pages.all_pages()).run()
