"""Streamlit pages: thin views that read state, call the core and render.

This package is the only place that imports streamlit; the core never does.
"""
