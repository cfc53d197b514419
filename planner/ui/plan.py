"""Plan page: the current scenario's tiered plan (一品一案) per product and region, and the
strategy chain's reasons for it."""

from __future__ import annotations

import streamlit as st

from planner import views
from planner.models.plan import ServicePlan
from planner.ui import pages

TIERS = (
    ("emergency", "Emergency (急救)"),
    ("preventive", "Preventive (保健)"),
    ("value_added", "Value-added (增值)"),
)


def page() -> None:
    st.title("Plan (一品一案)")
    result = pages.scenario_result()
    if result is None:
        return
    reports = {report.product: report for report in result.plans}
    left, right = st.columns(2)
    product = left.selectbox(
        "Product",
        list(reports),
        format_func=lambda pid: f"{reports[pid].product_name} ({pid})",
        key="plan_product",
    )
    report = reports[product]
    region_ids = [rp.plan.region for rp in report.regions]
    if st.session_state.get("plan_region") not in region_ids:
        st.session_state["plan_region"] = region_ids[0]
    region = right.selectbox("Region", region_ids, key="plan_region")
    st.caption(f"{report.product_name} under {report.strategy}, scenario {result.scenario.name}")
    st.subheader("Every region")
    pages.show_table(views.PLAN, views.plan_rows(report), key="plan_regions")
    st.subheader("Installed base and economics (CNY a year)")
    st.caption(
        "The maker's own work only (operators' and dealers' services are listed in the tiers "
        "but cost the maker nothing); the warranty cost is part of the cost; margin is "
        "revenue minus cost."
    )
    pages.show_table(views.ECONOMICS, views.economics_rows(report), key="plan_economics")
    plan = next(rp.plan for rp in report.regions if rp.plan.region == region)
    st.subheader(f"{region}: the tiers")
    for name, label in TIERS:
        tier = getattr(plan, name)
        money = tier.economics
        with st.expander(
            f"{label}: cost {money.cost:,.0f}, warranty {money.warranty_cost:,.0f}, "
            f"revenue {money.revenue:,.0f}, margin {money.margin:,.0f} CNY / yr",
            expanded=name == "emergency",
        ):
            pages.show_table(views.PROMISES, views.promise_rows(tier), key=f"plan_promises_{name}")
            pages.show_table(views.TIER_ITEMS, views.tier_item_rows(tier), key=f"plan_items_{name}")
    st.subheader(f"{region}: why this plan")
    show_reasons(plan)
    for n, card in enumerate(report.scorecards):
        st.subheader(card.name)
        st.caption(f"from plugin {card.source}")
        pages.show_table(views.SCORES, views.score_rows(card), key=f"plan_card_{n}")


def show_reasons(plan: ServicePlan) -> None:
    """The strategy chain's posture for the region and the plugin's notes."""
    p = plan.posture
    e = p.emergency
    st.markdown(
        "\n".join(
            [
                (
                    f"- **Market class** {plan.market_class.value}; the product's **strategic "
                    f"role** {plan.role.value}; {plan.installed_base:,} machines."
                ),
                (
                    f"- **Emergency promise**: reply within {e.reply_hours:g} h, on site within "
                    f"{e.onsite_hours:g} h for {100 * e.coverage_target:.0f} % of calls, repaired "
                    f"within {e.repair_hours:g} h; a free technician within "
                    f"{e.dispatch_within_hours:g} h for {100 * e.dispatch_service_level:.0f} % of "
                    f"calls; substitute equipment: {'yes' if e.substitute_equipment else 'no'}."
                ),
                (
                    f"- **Preventive depth** {p.preventive.depth} "
                    f"(inspections: {p.preventive.policy.value}); **value-added breadth** "
                    f"{p.value_added.breadth}."
                ),
                (
                    f"- **Parts**: priority {p.parts_priority}, fill-rate target "
                    f"{100 * p.fill_rate_target:.1f} %, availability target "
                    f"{100 * p.availability_target:.2f} %; staffing emphasis "
                    f"× {p.staffing_emphasis:g}."
                ),
            ]
        )
    )
    if plan.notes:
        st.markdown("**Notes of the plan**\n\n" + "\n".join(f"- {note}" for note in plan.notes))
    else:
        st.caption("The plan carries no further notes.")


if __name__ == "__main__":
    page()
