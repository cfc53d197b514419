"""The app's pages, routed by ``st.navigation`` in ``app.py``, and what they share.

Each page is a module of this package run as a page script (``st.Page(path)``): it reads
the session's state, calls the core (through :mod:`planner.ui.state`) and renders. The
Scenario page runs a scenario; the others show the current result, or point to the
Scenario page until a scenario has run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from planner import views
from planner.models.scenario import ScenarioResult
from planner.store import Store, StoreError
from planner.ui import state

HERE = Path(__file__).resolve().parent

#: (module, title, icon): the pages in the menu's order; the first is the default.
PAGES = (
    ("scenario", "Scenario", ":material/tune:"),
    ("plan", "Plan", ":material/assignment:"),
    ("network", "Network", ":material/hub:"),
    ("parts", "Parts", ":material/inventory_2:"),
    ("tradeoff", "Trade-off", ":material/balance:"),
    ("check", "Check", ":material/fact_check:"),
    ("comparison", "Compare", ":material/compare_arrows:"),
    ("exports", "Export", ":material/download:"),
    ("plugins", "Plugins", ":material/extension:"),
)


def all_pages() -> list:
    return [
        st.Page(HERE / f"{module}.py", title=title, icon=icon, default=k == 0)
        for k, (module, title, icon) in enumerate(PAGES)
    ]


def choose_region(result: ScenarioResult, key: str) -> tuple[str, dict[str, str]]:
    """A region of the result picked by its name (under ``key``), and every region's name."""
    names = {r.region: r.name for r in result.regions}
    region = st.selectbox(
        "Region", [r.region for r in result.regions], format_func=lambda r: names.get(r, r), key=key
    )
    return region, names


def scenario_result() -> ScenarioResult | None:
    """The current result, or None after an ``st.info`` pointing to the Scenario page."""
    result = state.current()
    if result is None:
        st.info("No scenario has run yet: choose one on the Scenario page and press Run.")
        st.page_link(
            str(HERE / "scenario.py"), label="Go to the Scenario page", icon=":material/tune:"
        )
    return result


def show_table(
    table: views.Table,
    rows: Iterable[Any],
    fields: Sequence[str] | None = None,
    key: str | None = None,
) -> None:
    """Typed rows under their labels, numbers formatted by kind."""
    st.dataframe(
        table.records(rows, fields),
        hide_index=True,
        width="stretch",
        key=key,
        column_config=number_formats(table),
    )


NUMBER_FORMATS = {
    views.Kind.MONEY: "localized",
    views.Kind.HOURS: "%.1f",
    views.Kind.COUNT: "%.1f",
    views.Kind.SHARE: "percent",
    views.Kind.LEVEL: "percent",
}


def number_formats(table: views.Table) -> dict:
    """Column formats by label: money with thousands separators, hours and counts to a
    tenth, shares and levels in percent."""
    return {
        table.labels[name]: st.column_config.NumberColumn(format=NUMBER_FORMATS[kind])
        for name, kind in table.kinds.items()
    }


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def money(value: float | None, unit: str = "CNY/yr") -> str:
    """An amount in millions: ``382.6 M CNY/yr``."""
    return "–" if value is None else f"{value / 1e6:,.1f} M {unit}".rstrip()


def show_errors(exc: Exception) -> None:
    """An input error's lines in one message (never a traceback)."""
    lines = getattr(exc, "problems", None) or [str(exc)]
    st.error("\n\n".join(lines))


def version_label(info: Any) -> str:
    """``version 2 (2026-12-02 20:58 UTC)``."""
    return f"version {info.number} ({info.created_at:%Y-%m-%d %H:%M} UTC)"


def choose_version(store: Store, name: str, key: str, label: str = "Version") -> int | None:
    """A saved name's version (the latest by default), or None after an ``st.error``."""
    try:
        versions = store.versions(name)
    except StoreError as exc:
        st.error(str(exc))
        return None
    numbers = [v.number for v in reversed(versions)]
    by_number = {v.number: v for v in versions}
    if st.session_state.get(key) not in numbers:
        st.session_state[key] = numbers[0]
    return st.selectbox(label, numbers, format_func=lambda n: version_label(by_number[n]), key=key)


def saved_names(store: Store) -> list[str] | None:
    """The saved names, or None after an ``st.error`` (or an ``st.info`` when none is)."""
    try:
        names = [s.name for s in store.names()]
    except StoreError as exc:
        st.error(str(exc))
        return None
    if not names:
        st.info("Nothing is saved yet: run a scenario on the Scenario page and save it.")
        st.page_link(
            str(HERE / "scenario.py"), label="Go to the Scenario page", icon=":material/tune:"
        )
        return None
    return names


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def safe_name(text: str) -> str:
    """``text`` as a file name's stem: letters, digits, ``.``, ``_`` and ``-`` (others
    become ``-``), never empty, at most 80 characters."""
    stem = re.sub(r"[^\w.-]+", "-", text, flags=re.ASCII).strip("-.")
    return stem[:80] or "scenario"
