"""The app's pages, routed by ``st.navigation`` in ``app.py``."""

from __future__ import annotations

import streamlit as st

from planner.ui import state


def all_pages() -> list:
    return [
        st.Page(plan_page, title="Service plan", icon="📋", url_path="plan", default=True),
        st.Page(plugins_page, title="Products and plugins", icon="🧩", url_path="plugins"),
    ]


def plugins_page() -> None:
    st.title("Products and plugins")
    catalogue = state.catalogue()
    for problem in catalogue["problems"]:
        st.warning(problem)
    st.subheader("Products")
    st.dataframe(catalogue["products"], hide_index=True, width="stretch")
    st.subheader("Hooks")
    st.dataframe(
        [{"hook": h["name"], "plugins": ", ".join(h["plugins"])} for h in catalogue["hooks"]],
        hide_index=True,
        width="stretch",
    )


def plan_page() -> None:
    st.title("Service plan (一品一案)")
    catalogue = state.catalogue()
    product_ids = [p["id"] for p in catalogue["products"]]
    st.session_state.setdefault("product", product_ids[0] if product_ids else None)
    with st.form("plan-inputs"):
        product = st.selectbox("Product", product_ids, key="product")
        st.form_submit_button("Plan")
    if product is None:
        st.info("No product plugins are registered.")
        return
    try:
        report = state.plan_report(product)
    except Exception as exc:  # noqa: BLE001 - shown to the user, not a crash
        st.error(str(exc))
        return
    st.caption(f"{report['product_name']} under {report['strategy']}")
    rows = []
    for r in report["regions"]:
        e = r["posture"]["emergency"]
        rows.append(
            {
                "region": r["region"],
                "class": r["class"],
                "on-site promise (h)": e["onsite_hours"],
                "coverage target": e["coverage_target"],
                "inspections": r["posture"]["preventive"]["policy"],
                "depth": r["posture"]["preventive"]["depth"],
                "breadth": r["posture"]["value_added"]["breadth"],
                "calls / yr": round(r["demand"]["emergency_calls"], 1),
                "visits / yr": round(r["demand"]["planned_visits"], 1),
                "cost CNY / yr": round(sum(t["annual_cost"] for t in r["tiers"].values())),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    region_ids = [r["region"] for r in report["regions"]]
    chosen = st.selectbox("Region", region_ids, key="region")
    region = next(r for r in report["regions"] if r["region"] == chosen)
    for tier, label in (("emergency", "Emergency (急救)"), ("preventive", "Preventive (保健)"),
                        ("value_added", "Value-added (增值)")):
        plan_tier = region["tiers"][tier]
        with st.expander(f"{label}: {plan_tier['annual_cost']:,.0f} CNY / yr", expanded=tier == "emergency"):
            st.dataframe(
                [{"promise": k, "value": str(v)} for k, v in plan_tier["promises"].items()],
                hide_index=True,
            )
            st.dataframe(
                [
                    {
                        "item": i["name"],
                        "per year": round(i["occurrences_per_year"], 1),
                        "hours each": i["labour_hours"],
                        "on site": i["on_site"],
                        "cost each": round(i["cost_each"]),
                        "cost / yr": round(i["annual_cost"]),
                    }
                    for i in plan_tier["items"]
                ],
                hide_index=True,
                width="stretch",
            )
    for card in report["scorecards"]:
        st.subheader(card["name"])
        st.caption(f"from plugin {card['source']}")
        st.dataframe(
            [
                {
                    "metric": line["metric"],
                    "value": f"{line['value']:,.4g}",
                    "target": "" if line["target"] is None else f"{line['target']:,.4g}",
                    "unit": line["unit"],
                    "status": {True: "met", False: "NOT MET", None: ""}[line["met"]],
                }
                for line in card["lines"]
            ],
            hide_index=True,
            width="stretch",
        )
    st.download_button(
        "Download plan (JSON)",
        data=state.plan_json(product),
        file_name=f"{product}-plan.json",
        mime="application/json",
    )
