"""Plugins page: the registered products and which plugins implement each hook."""

from __future__ import annotations

import streamlit as st

from planner import views
from planner.ui import pages, state


def page() -> None:
    st.title("Products and plugins")
    catalogue = state.catalogue()
    for problem in catalogue["problems"]:
        st.warning(problem)
    st.subheader("Products")
    pages.show_table(views.PRODUCTS, catalogue["products"])
    st.subheader("Hooks")
    pages.show_table(views.HOOKS, catalogue["hooks"])


if __name__ == "__main__":
    page()
