"""Catalogue tables: the registered products and the hooks with the plugins implementing them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.views.tables import Table

__all__ = ["HOOKS", "PRODUCTS", "HookRow", "ProductRow", "hook_rows", "product_rows"]


@dataclass(frozen=True)
class ProductRow:
    """A registered product and the plugin that provides it."""

    id: str
    name: str
    plugin: str
    version: str


@dataclass(frozen=True)
class HookRow:
    """A hook and the plugins implementing it, in call order."""

    hook: str
    plugins: str = field(metadata={"doc": "plugin names, comma-separated"})


def product_rows(products: Mapping[str, Any]) -> list[ProductRow]:
    """Registered products (``PluginHost.products()``), by id."""
    return [
        ProductRow(id=e.id, name=e.name, plugin=e.plugin, version=e.version)
        for e in sorted(products.values(), key=lambda e: e.id)
    ]


def hook_rows(hooks: Iterable[Mapping[str, Any]]) -> list[HookRow]:
    """Hooks as ``PluginHost.hooks()`` lists them."""
    return [HookRow(hook=h["name"], plugins=", ".join(h["plugins"])) for h in hooks]


PRODUCTS = Table(
    ProductRow, {"id": "product", "name": "name", "plugin": "plugin", "version": "version"}
)
HOOKS = Table(HookRow, {"hook": "hook", "plugins": "plugins"})
