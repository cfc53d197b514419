"""Errors the command line turns into messages and exit codes (never tracebacks)."""

from __future__ import annotations


class PlannerError(Exception):
    """Bad input or configuration; the message says what, where and why."""


class InputError(PlannerError):
    """A request that names something the inputs do not have (a region, a product)."""
