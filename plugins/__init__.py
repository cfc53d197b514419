"""Built-in product plugins of Service Planner (installed as ``service_planner_plugins``)."""
