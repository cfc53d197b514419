"""Compare page: saved scenarios side by side, each figure's change from a baseline, the
cost by component and the KPIs' changes as charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.compare import METRICS, Comparison, comparison_grid
from planner.ui import charts, pages, state

#: The cost components stacked in the cost chart (the comparison's ``cost_`` metrics, in
#: order), by metric, labelled without the comparison's ``cost: `` prefix.
COMPONENTS = {
    metric: label.removeprefix("cost: ")
    for metric, (label, _unit) in METRICS.items()
    if metric.startswith("cost_")
}

#: The KPIs whose change from the baseline is charted.
KPIS = (
    "total_cost",
    "margin",
    "coverage",
    "dispatch_level",
    "fill_rate",
    "availability",
    "technicians",
    "stock_units",
)


def cost_rows(comparison: Comparison) -> list[dict]:
    return [
        {
            "scenario": name,
            "component": label,
            "amount": comparison.row(metric).values[name] or 0.0,
            "order": k,
        }
        for name in comparison.scenarios
        for k, (metric, label) in enumerate(COMPONENTS.items())
    ]


def delta_rows(comparison: Comparison) -> list[dict]:
    """Each KPI's change in percent of the baseline's value (none where that is 0)."""
    rows = []
    for metric in KPIS:
        row = comparison.row(metric)
        base = row.values[comparison.baseline]
        for name in comparison.scenarios:
            delta = row.deltas[name]
            if name == comparison.baseline or delta is None or not base:
                continue
            rows.append(
                {
                    "metric": row.label,
                    "scenario": name,
                    "change": delta / abs(base),
                    "delta": delta,
                    "unit": row.unit,
                }
            )
    return rows


def choose(store) -> tuple[tuple[str, str, int], ...] | None:
    """The saved versions to compare, as (label, name, version), or None."""
    names = pages.saved_names(store)
    if names is None:
        return None
    default = names[:2]
    if any(n not in names for n in st.session_state.get("cmp_names", [])):
        st.session_state["cmp_names"] = default
    chosen = st.multiselect("Saved scenarios to compare", names, default=default, key="cmp_names")
    if not chosen:
        st.info("Choose at least one saved scenario.")
        return None
    picked = []
    for column, name in zip(st.columns(len(chosen)), chosen):
        with column:
            version = pages.choose_version(store, name, f"cmp_version:{name}", f"{name}: version")
        if version is None:
            return None
        picked.append((f"{name} v{version}", name, version))
    return tuple(picked)


def page() -> None:
    st.title("Compare")
    store = state.store_or_error()
    if store is None:
        return
    chosen = choose(store)
    if chosen is None:
        return
    labels = [label for label, _, _ in chosen]
    # a new choice of scenarios starts with the first as the baseline; a picked baseline
    # stays while the choice does
    baseline = st.selectbox(
        "Baseline (the others are compared with it)",
        labels,
        key="cmp_baseline:" + "|".join(labels),
    )
    comparison = state.compare_saved(chosen, baseline)
    st.caption(
        "Each scenario's figures, then each one's change from the baseline: money in CNY "
        "(a year where it says /yr), shares in % and their changes in percentage points (pp)."
    )
    header, rows = comparison_grid(comparison)
    st.dataframe(
        pd.DataFrame(rows, columns=header),
        hide_index=True,
        width="stretch",
        height=35 * (len(rows) + 1) + 3,  # every row in view
        key="cmp_table",
    )
    st.altair_chart(
        charts.cost_components(cost_rows(comparison), "Annual cost by component"),
        width="stretch",
    )
    deltas = delta_rows(comparison)
    if deltas:
        st.altair_chart(
            charts.kpi_deltas(deltas, f"Change against the baseline ({baseline})"),
            width="stretch",
        )
    st.download_button(
        "Download the comparison (JSON)",
        data=pages.json_bytes(comparison.to_jsonable()),
        file_name=f"compare-{pages.safe_name(baseline)}.json",
        mime="application/json",
        key="cmp_download",
    )


if __name__ == "__main__":
    page()
