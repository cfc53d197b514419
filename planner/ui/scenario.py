"""Scenario page: pick a bundled or uploaded scenario, change its main targets, run it.

The run is stored in the session keyed on the effective scenario's JSON (the scenario after
the form's changes), so the same inputs are never computed twice.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import streamlit as st
from pydantic import ValidationError

from planner import views
from planner.models.profiles import MarketClass
from planner.models.scenario import Scenario, ScenarioResult
from planner.profiles import ProfileError, format_validation_error
from planner.store import StoreError
from planner.ui import pages, state

UPLOAD = "Upload a scenario file…"
DEFAULT = "Excavators: today's network"

#: The form's per-class fields: (target field, label, shown in percent, min, max, step, format).
CLASS_FIELDS = (
    ("coverage", "coverage (% of calls)", True, 0.0, 100.0, 1.0, "%.1f"),
    ("onsite_hours", "on-site promise (h)", False, 0.5, 168.0, 1.0, "%.1f"),
    ("availability", "parts availability (%)", True, 50.0, 99.99, 0.1, "%.2f"),
)


def field_key(market_class: str, name: str) -> str:
    return f"sc_{market_class}_{name}"


def to_form(value: float | None, in_percent: bool) -> float | None:
    if value is None:
        return None
    return round(100.0 * value, 6) if in_percent else float(value)


def from_form(value: float | None, in_percent: bool) -> float | None:
    if value is None:
        return None
    return round(value / 100.0, 8) if in_percent else float(value)


def prefill(scenario: Scenario) -> None:
    """Put the scenario's own targets into the form's fields (empty: the strategy's)."""
    for market_class in MarketClass:
        chosen = scenario.targets.classes.get(market_class)
        for name, _, in_percent, *_ in CLASS_FIELDS:
            value = getattr(chosen, name) if chosen is not None else None
            st.session_state[field_key(market_class, name)] = to_form(value, in_percent)
    st.session_state["sc_dispatch"] = to_form(scenario.targets.dispatch_level, True)
    st.session_state["sc_replications"] = scenario.simulation.replications


def effective(document: dict[str, Any]) -> dict[str, Any]:
    """The scenario's fields with the form's targets and replications in place."""
    out = copy.deepcopy(document)
    targets = out.setdefault("targets", {})
    classes = targets.setdefault("classes", {})
    for market_class in MarketClass:
        entry = dict(classes.get(market_class.value) or {})
        for name, _, in_percent, *_ in CLASS_FIELDS:
            value = from_form(st.session_state[field_key(market_class, name)], in_percent)
            if value is None:
                entry.pop(name, None)
            else:
                entry[name] = value
        if entry:
            classes[market_class.value] = entry
        else:
            classes.pop(market_class.value, None)
    dispatch = from_form(st.session_state["sc_dispatch"], True)
    if dispatch is None:
        targets.pop("dispatch_level", None)
    else:
        targets["dispatch_level"] = dispatch
    simulation = out.setdefault("simulation", {})
    simulation["replications"] = int(st.session_state["sc_replications"])
    return out


def choose() -> tuple[dict[str, Any], str, str] | None:
    """The chosen scenario's fields, its source name and a key naming this version of it;
    None (after a message) without one."""
    scenarios = state.bundled()
    names = [s["name"] for s in scenarios]
    st.session_state.setdefault("sc_choice", DEFAULT if DEFAULT in names else names[0])
    choice = st.selectbox("Scenario", [*names, UPLOAD], key="sc_choice")
    if choice != UPLOAD:
        path = next(s["path"] for s in scenarios if s["name"] == choice)
        return state.bundled_document(path), path, f"bundled:{path}"
    upload = st.file_uploader(
        'Scenario file (TOML, YAML or JSON, kind = "scenario")',
        type=["toml", "yaml", "yml", "json"],
        key="sc_upload",
    )
    if upload is None:
        st.info("Choose a scenario file; it is read in memory, nothing is saved.")
        return None
    data = upload.getvalue()
    try:
        document = state.uploaded_document(upload.name, data)
    except ProfileError as exc:
        pages.show_errors(exc)
        return None
    return document, upload.name, f"upload:{upload.name}:{hashlib.sha256(data).hexdigest()}"


def page() -> None:
    state.init()
    st.title("Scenario")
    st.caption(
        "A scenario names the products, the regions and the strategy, and sets the targets. "
        "Change the main targets below and press Run: stations and technicians per region, "
        "one parts plan, a simulation checking every promise, and scorecards."
    )
    chosen = choose()
    if chosen is not None:
        document, source, version = chosen
        try:
            scenario = Scenario.model_validate(document)
        except ValidationError as exc:
            st.error("\n\n".join(format_validation_error(source, exc)))
        else:
            inputs(scenario, document, source, version)
    result = state.current()
    if result is not None:
        show_result(result)
        save_form(result)


def inputs(scenario: Scenario, document: dict[str, Any], source: str, version: str) -> None:
    if st.session_state.get("sc_form_for") != version:  # a new scenario: its own targets
        prefill(scenario)
        st.session_state["sc_form_for"] = version
    if scenario.description:
        st.caption(scenario.description)
    with st.form("scenario-inputs"):
        st.markdown(
            "**Targets per market class** (empty: the strategy chain's own value for the class)"
        )
        for market_class in MarketClass:
            cols = st.columns(len(CLASS_FIELDS))
            for col, (name, label, _, low, high, step, fmt) in zip(cols, CLASS_FIELDS, strict=True):
                col.number_input(
                    f"{market_class.value}: {label}",
                    min_value=low,
                    max_value=high,
                    step=step,
                    format=fmt,
                    key=field_key(market_class, name),
                    placeholder="strategy's",
                )
        left, right = st.columns(2)
        left.number_input(
            "Dispatch level, every region (% of calls finding a free technician in time)",
            min_value=1.0,
            max_value=99.9,
            step=1.0,
            format="%.1f",
            key="sc_dispatch",
            placeholder="strategy's",
        )
        right.number_input(
            "Simulation replications (runs; 2 or more)",
            min_value=2,
            max_value=1000,
            step=1,
            key="sc_replications",
        )
        submitted = st.form_submit_button("Run", type="primary")
    if not submitted:
        return
    try:
        loaded = state.load(effective(document), source)
    except ProfileError as exc:
        pages.show_errors(exc)
        return
    key = loaded.scenario.model_dump_json()
    if state.stored(key) is not None:
        state.run_and_store(loaded, lambda _m, _s: None)
        st.success("These inputs have run before in this session: their result is shown.")
        return
    bar = st.progress(0.0, text="Starting")
    try:
        state.run_and_store(
            loaded, lambda message, share: bar.progress(min(1.0, max(0.0, share)), text=message)
        )
    except ProfileError as exc:  # ScenarioError and InfeasibleTarget: bad input, not a crash
        bar.empty()
        pages.show_errors(exc)
        return
    bar.empty()


def show_result(result: ScenarioResult) -> None:
    k = result.kpis
    st.header(f"Result: {result.scenario.name}")
    st.caption(
        f"Ran in {sum(result.timings.values()):.1f} s; simulated "
        f"{result.simulation['replications']} × {result.simulation['years']:g} year(s)."
    )
    cols = st.columns(5)
    cols[0].metric("Total cost (CNY a year)", pages.money(k.cost, ""))
    cols[1].metric("Margin (CNY a year)", pages.money(k.costs.margin, ""))
    cols[2].metric("Parts stock (CNY)", pages.money(k.investment, ""))
    cols[3].metric("Technicians", f"{k.technicians}")
    cols[4].metric("Stations open", f"{k.stations}")
    cols = st.columns(4)
    cols[0].metric("Calls within the promise (%)", pages.percent(k.coverage))
    cols[1].metric("Dispatch level (%)", pages.percent(k.dispatch_level))
    cols[2].metric("Parts fill rate (%)", pages.percent(k.fill_rate))
    cols[3].metric("Parts availability (%)", pages.percent(k.availability, 2))
    st.subheader("Costs")
    pages.show_table(views.COSTS, views.cost_rows(result), key="sc_costs")
    st.subheader("Regions")
    pages.show_table(views.REGIONS, views.region_rows(result), key="sc_regions")
    st.subheader("Scorecards")
    for n, card in enumerate(result.scorecards):
        with st.expander(f"{card.name} (plugin {card.source})", expanded=n == 0):
            pages.show_table(views.SCORES, views.score_rows(card), key=f"sc_card_{n}")
    for problem in result.problems:
        st.warning(problem)
    st.download_button(
        "Download the result (JSON)",
        data=state.stored(st.session_state["current"]) or "",
        file_name="scenario-result.json",
        mime="application/json",
    )


def save_form(result: ScenarioResult) -> None:
    """Save the current run in the scenario store under a name (a new version of it)."""
    st.subheader("Save this run")
    store = state.store_or_error()
    if store is None:
        return
    key = st.session_state["current"]
    if st.session_state.get("sc_save_for") != key:  # a new run: its scenario's name
        st.session_state["sc_save_name"] = result.scenario.name
        st.session_state["sc_save_for"] = key
    with st.form("scenario-save"):
        st.text_input("Save as (a name; saving it again adds a version)", key="sc_save_name")
        submitted = st.form_submit_button("Save")
    if not submitted:
        return
    name = st.session_state["sc_save_name"].strip()
    if not name:
        st.error("Save as: give the run a name.")
        return
    try:
        saved = state.save(name, key)
    except StoreError as exc:
        st.error(str(exc))
        return
    st.success(f"saved {saved.name} version {saved.number} in {store.location}")


if __name__ == "__main__":
    page()
