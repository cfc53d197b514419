"""Service Planner: one product, one plan (一品一案) for heavy-equipment after-sales service."""

from planner.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]
