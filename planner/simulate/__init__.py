"""Monte Carlo check of a plan's promises: a seeded discrete-event simulation.

The closed forms the plan is built on (Erlang C for dispatch, Poisson pipelines and
METRIC for parts) rest on assumptions; :func:`simulate` plays the plan out event by
event instead and reports what share of calls and demands the promises actually hold
for, each as a mean over independent replications with a 95 % confidence interval.

**Emergency calls.** Each region runs on a clock of service hours (calls arrive over
``service_hours_per_year`` hours a year, and the queue runs only while the service is
open, as the dispatch model assumes). Each site's calls arrive as a Poisson stream of
rate ``calls_per_year / service_hours_per_year`` per hour; a station's calls (the merged
stream of its sites) queue first come, first served for its ``on_duty`` identical
technicians. A call waits W for a free technician, then travels ``travel_hours[site]``
one way: it is on site after W + travel. It holds its technician for the round trip
plus an exponential repair of mean ``job_hours`` (``hold="travel_repair"``) or, the
dispatch model's own assumption, for an exponential time of mean ``mean_call_hours``
(``hold="exponential"``: each station is then exactly M/M/c). A station without
technicians on duty never serves a call (W is infinite: not covered, not dispatched).
Each queue starts empty ``call_warmup_hours`` before the measured window of
``years * service_hours_per_year`` hours; only calls arriving inside the window count.
Per region (call-weighted over its stations): coverage (W + travel <= ``onsite_hours``),
dispatch level (W <= ``dispatch_within_hours``), on site within 24 h, mean hours to
site (infinite when some call is never served), calls a year, and each station's
dispatch level. A share over no calls is ``nan``.

**Parts** (:class:`PartsModel`, Sherbrooke's METRIC system exactly, with deterministic
resupply times): demand for part i at depot j is Poisson at ``demand[i, j]`` units a
year. Every demand at once orders one unit from the central warehouse (one-for-one).
The central warehouse holds ``central_stock[i]`` and orders its own replacement from the
supplier at each demand, arriving ``lead_days[i]`` later; it ships first in, first out.
With the merged demand times t_k of part i over all depots, in order, the k-th demand's
unit leaves the central warehouse at c_k = max(t_k, t_{k-S0} + L) (c_k = t_k for
k < S0) and reaches depot j at r_k = c_k + R_j (``resupply_days[j]``). Without a central
warehouse (``central_stock`` None) r_k = t_k + R_j. Within depot j's own demands of the
part (n = 0, 1, ...; r is non-decreasing along them) the n-th demand is filled at
f_n = max(t_n, r_{n-S_j}), at once for n < S_j: it is filled at once exactly when the
depot has a unit on hand (S_j minus the units outstanding is positive). This is all
vectorised. The state at time t depends only on the demands in
(t - L - max R, t], so demand streams that start that long (plus a margin) before the
window put the system exactly in steady state over the window [0, years * 8760 h].
Per depot: fill rate (share of the window's demands filled at once), time-average
backorders per part (the backorder count integrated over the window) and Sherbrooke's
availability, the time average over the window of
prod_i (1 - B_ij(t) / (N_j Z_i))^{Z_i} over the essential parts with demand at the
depot (a factor is 0 when B_ij >= N_j Z_i), computed exactly from the piecewise
constant backorders; None without installed base or essential demand.

**First-visit fix.** A call needs part (i, j) with probability ``call_part_probability``
(``RegionModel.call_parts``), drawn per call, or no part. It is fixed on the first visit
when it needs no part, or when depot j has part i on hand at the call's arrival (its
service-hour time mapped linearly onto the calendar year), read from the parts
trajectory of the same replication. Calls do not take stock themselves: the demand
streams already carry the consumption. Without a parts model every call is fixed on the
first visit. Reported: ``first_visit_fix`` and ``promise_and_fixed`` (on site within the
promise and fixed).

**Replications.** ``replications`` independent runs, the r-th from
``np.random.default_rng(np.random.SeedSequence(seed).spawn(R)[r])``: the same seed
gives the same result. An :class:`Estimate` is the mean over replications and its
95 % Student-t interval, mean +- t(0.975, R - 1) sd / sqrt(R); with one replication, no
variance or an infinite value, lo = hi = mean. ``events`` counts the simulated events
(call arrivals and completions, part demands and replenishments, the warm-up's
included) over all replications, ``seconds`` the wall time.

Where the simulation and the closed forms part (see the tests): METRIC under-states
two-echelon depot backorders (it takes a depot's pipeline as Poisson; the simulation
agrees with the exact model instead); Sherbrooke's availability evaluated at the EBO is
below the time-average availability for Z > 1 (the factor is convex in the backorders);
and a round trip plus an exponential repair varies less than an exponential hold of the
same mean, so calls wait less than Erlang C says.

The closed forms to compare with live in :mod:`planner.optimise.queueing` (Erlang B
and C, P(W <= t)) and :mod:`planner.optimise.metric` (Poisson EBO, fill rate, METRIC,
the exact two-echelon backorders, availability).

Where each thing lives
----------------------
- :mod:`.models`: the dataclasses (:class:`StationModel`, :class:`RegionModel`,
  :class:`PartsModel`, :class:`Network`, :class:`SimulationSettings`, :class:`Estimate`,
  :class:`RegionEstimates`, :class:`DepotEstimates`, :class:`SimulationResult`) and
  ``HOURS_PER_YEAR``, ``DAYS_PER_YEAR``.
- :mod:`.estimates`: :func:`estimate` (mean and 95 % interval over replications).
- :mod:`.queues`: :func:`fcfs_start_times` (the stations' first-come, first-served queues).
- :mod:`.parts`: the parts system: its plan and alias tables, one replication's demand
  draws and propagation, its measures and on-hand look-ups, and
  :func:`one_for_one_fill_times`.
- :mod:`.driver`: :func:`simulate` (the replications, the calls' draws, the first-visit
  fix and the estimates).

Everything public is importable from :mod:`planner.simulate` itself.
"""

from __future__ import annotations

from planner.simulate.driver import simulate
from planner.simulate.estimates import estimate
from planner.simulate.models import (
    DAYS_PER_YEAR,
    HOURS_PER_YEAR,
    DepotEstimates,
    Estimate,
    Network,
    PartsModel,
    RegionEstimates,
    RegionModel,
    SimulationResult,
    SimulationSettings,
    StationModel,
)
from planner.simulate.parts import one_for_one_fill_times
from planner.simulate.queues import fcfs_start_times

__all__ = [
    "DAYS_PER_YEAR",
    "HOURS_PER_YEAR",
    "DepotEstimates",
    "Estimate",
    "Network",
    "PartsModel",
    "RegionEstimates",
    "RegionModel",
    "SimulationResult",
    "SimulationSettings",
    "StationModel",
    "estimate",
    "fcfs_start_times",
    "one_for_one_fill_times",
    "simulate",
]
