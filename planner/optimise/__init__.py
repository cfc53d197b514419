"""Optimisers: they take a problem in an interchange format and return a result model.

They know nothing of products or plugins. Each solver is a package with a front door:
:mod:`planner.optimise.technicians` (stations and technicians, and the one plan
evaluation), :mod:`planner.optimise.spares` (spare parts), :mod:`planner.optimise.location`
(location models on a cost matrix). Shared pieces are modules: :mod:`.highs` (the one HiGHS
backend), :mod:`.network` (travel times), :mod:`.queueing` (Erlang C), :mod:`.metric`
(METRIC) and :mod:`.mckp` (the multiple-choice knapsack). See ``docs/architecture.md``.
"""
