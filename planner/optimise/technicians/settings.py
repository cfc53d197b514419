"""Tolerances and tuning of the technicians solver, in one place.

The tolerances are part of the model (what counts as optimal, what counts as fitting);
the :class:`TechniciansSettings` are how the time is spent. Every phase reads its settings from the
solve's state (:class:`planner.optimise.technicians.state.SolveState`), so a benchmark or a
test may pass other settings to :func:`planner.optimise.technicians.solve_technicians`
without touching a module.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_SETTINGS", "FEAS_TOL", "REL_GAP", "TechniciansSettings"]

REL_GAP = 1e-6
"""Relative gap within which a plan is reported optimal."""
FEAS_TOL = 1e-9
"""Relative slack with which workloads and calls are fitted to stations (float noise)."""


@dataclass(frozen=True)
class TechniciansSettings:
    """How the solver spends its time. Sizes count pairs (site, station) unless said."""

    full_lp_pairs: int = 60_000
    """Below this many pairs the LP takes every pair at once (no column generation), and the
    heuristic settles its station set by a restricted MILP."""
    cg_start_pairs: int = 25
    """Column generation starts from each site's this many cheapest and nearest covering
    pairs."""
    min_phase_seconds: float = 2.0
    """With less time left than this, a phase is skipped and the best plan returned."""
    relax_phase_pairs: int = 500
    """From this many pairs on, the model is settled by station sets (phase R, continuous
    assignments first) instead of one MILP."""
    enum_sets: int = 300_000
    """Station sets are enumerated when the cardinality cap leaves at most this many."""
    enum_chunk: int = 20_000
    """Station sets bounded at once in the enumeration."""
    ipm_rows: int = 20_000
    """A first LP with at least this many rows goes to the interior point method."""
    improve_seconds: float = 10.0
    """At most this long on the local search of a plan's assignment."""
    neighbourhood_pairs: int = 5
    """Pairs per site in the LP neighbourhood MILP, at most ..."""
    neighbourhood_size: int = 6_000
    """... and about this many pairs in all (HiGHS then finds plans sooner)."""
    phase_r_pairs: int = 50_000
    """With more pairs left after reduced-cost fixing, the time left improves the plan in
    ever wider LP neighbourhoods instead of phase R."""
    neighbourhood_seconds: float = 60.0
    """At most this long on one LP neighbourhood MILP."""
    rounding_share: float = 0.7
    """Share of a neighbourhood's budget for its stations and staffing; the rest rounds."""
    movers: int = 20
    """Rounding also moves this many sites assigned whole (or a twentieth of all)."""
    sure_open: float = 0.9
    """The LP neighbourhood keeps open the stations the LP opens by at least this much."""
    smoothing: float = 0.5
    """Column generation prices at this blend of the best bound's duals and the LP's
    (Wentges)."""
    price_per_site: int = 20
    """Pairs priced in per site and round, at most."""
    group_size: int = 3
    """Open stations whose sites the group search reassigns at once."""
    group_seconds: float = 10.0
    """At most this long on one group's MILP."""
    cut_rounds: int = 20
    """Rounds of staffing cuts on the converged LP, at most ..."""
    cut_gain: float = 1e-4
    """... while each raises the LP by at least this share."""


DEFAULT_SETTINGS = TechniciansSettings()
