"""Export page: a saved scenario, or one region of it, as the files a regional manager
takes away: an XLSX workbook, a zip of CSV tables, JSON."""

from __future__ import annotations

import streamlit as st

from planner.compare import shown_value
from planner.scenario_export import FORMATS, KPIS, export_file_name, scenario_tables
from planner.ui import pages, state

WHOLE = "(the whole scenario)"

#: (format, button label, MIME type) in the page's order.
DOWNLOADS = (
    ("xlsx", "Download XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("csv", "Download CSV (zip)", "application/zip"),
    ("json", "Download JSON", "application/json"),
)


def kpi_text(value: float | None, unit: str) -> str:
    """A KPI for the preview, formatted as the comparison formats its figures (shares in per
    cent, money and counts with separators)."""
    if value is None:
        return "–"
    return shown_value(value, "share" if unit.startswith("share") else unit)


def page() -> None:
    st.title("Export")
    store = state.store_or_error()
    if store is None:
        return
    names = pages.saved_names(store)
    if names is None:
        return
    if st.session_state.get("exp_name") not in names:
        st.session_state["exp_name"] = names[0]
    left, right = st.columns(2)
    with left:
        name = st.selectbox("Saved scenario", names, key="exp_name")
    with right:
        version = pages.choose_version(store, name, f"exp_version:{name}")
    if version is None:
        return
    _inputs, result = state.load_saved(name, version)
    regions = {o.region: o.name for o in result.regions}
    choice = st.selectbox(
        "What to export",
        [WHOLE, *regions],
        format_func=lambda r: r if r == WHOLE else f"{regions[r]} ({r})",
        key=f"exp_region:{name}:{version}",
    )
    region = None if choice == WHOLE else choice
    tables = scenario_tables(result, region)
    sheets = ["summary", *tables.regions, "parts"]
    st.caption(
        "The XLSX has a summary sheet, one sheet per region (stations, technicians, sites "
        "with their travel times, the preventive schedule, the promises) and a parts sheet "
        f"(stock per part and depot, availability): here {', '.join(sheets)}. The CSV zip "
        "holds the same tables, one file each; the JSON holds them by name."
    )
    for column, (fmt, label, mime) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS):
        with column:
            st.download_button(
                label,
                data=state.export_bytes(name, version, region, fmt),
                file_name=export_file_name(result, fmt, region, f"{name}-v{version}"),  # type: ignore[arg-type]
                mime=mime,
                key=f"exp_download_{fmt}",
                help=f"a {FORMATS[fmt]} file",
            )
    shown = tables.regions[region] if region is not None else tables.summary
    st.subheader("Preview: " + ("the summary" if region is None else regions[region]))
    for item in shown:
        st.markdown(f"**{item.title}**")
        if item.table is KPIS:  # one value column of mixed units: each shown by its unit
            rows = [
                {"KPI": r.kpi, "value": kpi_text(r.value, r.unit), "unit": r.unit}
                for r in item.rows
            ]
            st.dataframe(rows, hide_index=True, width="stretch")
        else:
            pages.show_table(item.table, item.rows, item.fields)


if __name__ == "__main__":
    page()
