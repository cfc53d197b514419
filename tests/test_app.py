"""Every page of the app, driven by Streamlit's own AppTest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def test_plan_page_is_the_default_and_shows_every_region():
    at = app()
    assert not at.exception
    assert at.title[0].value.startswith("Service plan")
    regions = at.dataframe[0].value
    assert set(regions["class"]) == {"core", "growth", "maintain", "remote"}
    assert (regions["calls / yr"] > 0).all()
    cards = [df.value for df in at.dataframe if "status" in df.value.columns]
    assert cards and {"met", "NOT MET", ""} >= set().union(*(set(c["status"]) for c in cards))
    assert any("met" in set(c["status"]) for c in cards)


def test_plan_page_switches_product_and_region():
    at = app()
    at.selectbox(key="product").set_value("crawler_crane")
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    assert "Crawler crane" in at.caption[0].value
    at.selectbox(key="region").set_value("tibet").run()
    assert not at.exception
    assert any("Emergency" in e.label for e in at.expander)


def test_plugins_page_lists_products_and_hooks():
    at = AppTest.from_string(
        "from planner.ui.pages import plugins_page\nplugins_page()", default_timeout=60
    ).run()
    assert not at.exception
    products = at.dataframe[0].value
    assert set(products["id"]) >= {"concrete_pump", "crawler_crane", "excavator"}
    hooks = at.dataframe[1].value
    assert "planner_add_products" in set(hooks["hook"])


def test_core_never_imports_streamlit():
    for path in (ROOT / "planner").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "planner").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "streamlit" for n in names), f"{path} imports streamlit"
