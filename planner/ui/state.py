"""Cached calls into the core, keyed on primitives (never on live models)."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from planner.plugins import load_plugins
from planner.scenario import default_regions, default_strategy, plan_product, product_profile


@st.cache_data(show_spinner=False)
def catalogue() -> dict[str, Any]:
    host = load_plugins()
    products = [
        {"id": e.id, "name": e.name, "plugin": e.plugin, "version": e.version}
        for e in sorted(host.products().values(), key=lambda e: e.id)
    ]
    return {"products": products, "hooks": host.hooks(), "problems": list(host.problems)}


@st.cache_data(show_spinner="Planning…")
def plan_report(product_id: str) -> dict[str, Any]:
    host = load_plugins()
    report = plan_product(
        host, product_profile(host, product_id), default_regions(), default_strategy()
    )
    return report.to_jsonable()


def plan_json(product_id: str) -> str:
    return json.dumps(plan_report(product_id), indent=2, ensure_ascii=False)
