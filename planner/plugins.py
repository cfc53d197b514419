"""Plugin discovery and the typed facade over the hooks.

The manager is built by :func:`load_plugins`, never at import time. It
registers, in this order:

1. the built-in plugins, an explicit tuple of modules (:data:`BUILTIN_PLUGINS`);
2. third-party plugins from the entry-point group ``service_planner``
   (:data:`ENTRY_POINT_GROUP`), unless blocked;
3. one-off plugins: every ``*.py`` file of a plugins directory (the
   ``--plugins-dir`` option or the ``SERVICE_PLANNER_PLUGINS_DIR`` variable).

``SERVICE_PLANNER_BLOCK_PLUGINS`` blocks plugins by name (comma-separated);
the value ``*`` blocks every third-party and directory plugin.

A plugin that fails to import or raises inside a hook is reported by name in
:attr:`PluginHost.problems` and the others still run. A hook implementation
whose name or arguments match no specification (a misspelt hook) is a
:class:`PluginError` at start-up, naming the plugin.

The rest of the code calls the facade (:meth:`PluginHost.products`,
:meth:`PluginHost.plan_for`, …), never ``pm.hook`` directly.

What plugins declare by id (products, export formats) is kept in one kind of
:class:`Register`, as hatchling's ``ClassRegister`` serves every plugin type:
an id declared twice is a :class:`PluginError` naming both owners, and looking
up an unknown id is an :class:`~planner.errors.InputError` listing the known ones.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import pluggy

from planner import hookspecs
from planner.errors import InputError, PlannerError
from planner.export import ExportFormat
from planner.models.plan import ServicePlan
from planner.models.profiles import ProductProfile, Region, Strategy
from planner.models.report import PlanReport, Scorecard
from planner.products import ProductPlugin, plan_context

if TYPE_CHECKING:
    from planner.models.scenario import ScenarioFacts

ENTRY_POINT_GROUP = "service_planner"
BLOCK_ENV = "SERVICE_PLANNER_BLOCK_PLUGINS"
PLUGINS_DIR_ENV = "SERVICE_PLANNER_PLUGINS_DIR"

BUILTIN_PLUGINS: tuple[str, ...] = (
    "service_planner_plugins.concrete_pump",
    "service_planner_plugins.crawler_crane",
    "service_planner_plugins.excavator",
    "planner.export",
    "planner.evaluate",
    "planner.scorecards",
)


class PluginError(PlannerError):
    """A plugin set that cannot work: a misspelt hook, a duplicate product, a broken product."""


V = TypeVar("V")


class Register(Mapping[str, V]):
    """Things of one ``kind`` that plugins declare, by id, in registration order.

    A read-only mapping once built. :meth:`add` refuses an id declared twice
    with a :class:`PluginError` naming both owners; :meth:`lookup` of an
    unknown id raises :class:`~planner.errors.InputError` listing the known
    ids. ``label`` names the id in the duplicate error (default ``kind``).
    """

    def __init__(self, kind: str, *, label: str | None = None) -> None:
        self.kind = kind
        self.label = label or kind
        self._items: dict[str, V] = {}
        self._owners: dict[str, str] = {}

    def add(self, id: str, item: V, owner: str) -> None:
        """Register ``item`` under ``id``; ``owner`` says who declared it, for messages."""
        if id in self._items:
            raise PluginError(
                f"{self.label} {id!r} is declared twice: by {self._owners[id]} and by {owner}"
            )
        self._items[id] = item
        self._owners[id] = owner

    def lookup(self, id: str) -> V:
        """The item registered under ``id``; an :class:`InputError` listing the known ids if none."""
        try:
            return self._items[id]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise InputError(
                f"unknown {self.kind} {id!r} (registered {self.kind}s: {known})"
            ) from None

    def __getitem__(self, id: str) -> V:
        return self._items[id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Register({self.kind!r}, ids={list(self._items)!r})"


@dataclass(frozen=True)
class ProductEntry:
    """A registered product class and the plugin that provided it."""

    id: str
    name: str
    plugin: str
    version: str
    cls: type[ProductPlugin]


class ExportEntry(NamedTuple):
    """A registered export format and the plugin that provided it (unpacks as ``plugin, format``)."""

    plugin: str
    format: ExportFormat


@dataclass
class PluginHost:
    """The plugin manager with a typed facade over its hooks."""

    pm: pluggy.PluginManager
    versions: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _products: Register[ProductEntry] | None = None
    _exports: Register[ExportEntry] | None = None

    # ------------------------------------------------------------ calling hooks

    def _call(self, impl: Any, hook_name: str, kwargs: dict[str, Any]) -> tuple[bool, Any]:
        """Call one implementation with the arguments it asks for.

        Returns ``(True, result)``, or ``(False, None)`` after recording the
        failure in :attr:`problems` by plugin name.
        """
        try:
            return True, impl.function(**{name: kwargs[name] for name in impl.argnames})
        except Exception as exc:  # noqa: BLE001 - a plugin's failure must not stop the others
            self.problems.append(
                f"plugin {impl.plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
            )
            return False, None

    def _call_each(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call every implementation of a hook in registration order.

        Yields ``(plugin name, result)`` for each implementation that did not raise.
        """
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            ok, result = self._call(impl, hook_name, kwargs)
            if ok:
                yield impl.plugin_name, result

    def _collect(
        self,
        register: Register[V],
        hook_name: str,
        entry: Callable[[str, Any], tuple[str, V, str]],
    ) -> Register[V]:
        """Fill ``register`` from every implementation of ``hook_name``.

        ``entry(plugin, declared)`` turns each declared object into
        ``(id, item, owner)``.
        """
        for plugin, declared in self._call_each(hook_name):
            for obj in declared or ():
                register.add(*entry(plugin, obj))
        return register

    # ------------------------------------------------------------ products

    def products(self) -> Register[ProductEntry]:
        """Every registered product class by id."""
        if self._products is None:
            self._products = self._collect(
                Register("product", label="product id"), "planner_add_products", self._product
            )
        return self._products

    def _product(self, plugin: str, cls: Any) -> tuple[str, ProductEntry, str]:
        entry = self._entry(plugin, cls)
        return entry.id, entry, f"{cls.__qualname__} of plugin {plugin!r}"

    def _entry(self, plugin: str, cls: Any) -> ProductEntry:
        if not (isinstance(cls, type) and issubclass(cls, ProductPlugin)):
            raise PluginError(
                f"plugin {plugin!r}: planner_add_products returned {cls!r}, "
                "which is not a subclass of planner.products.ProductPlugin"
            )
        for attr in ("id", "name"):
            if not isinstance(getattr(cls, attr, None), str) or not getattr(cls, attr):
                raise PluginError(
                    f"plugin {plugin!r}: product class {cls.__qualname__} declares no {attr}"
                )
        version = self.versions.get(plugin) or cls.version
        return ProductEntry(id=cls.id, name=cls.name, plugin=plugin, version=version, cls=cls)

    def product(self, product_id: str) -> ProductEntry:
        """The registered product ``product_id``; an :class:`InputError` listing the known ones."""
        return self.products().lookup(product_id)

    def plan_for(self, product: ProductProfile, region: Region, strategy: Strategy) -> ServicePlan:
        """The tiered plan of ``product`` in ``region``: product class, then every adjust hook."""
        entry = self.product(product.id)
        ctx = plan_context(product, region, strategy)
        try:
            plan = entry.cls().build_plan(ctx)
        except InputError:
            raise  # bad profile data, named by field: the user's to fix, not the plugin's
        except Exception as exc:
            raise PluginError(
                f"plugin {entry.plugin!r} failed to plan product {product.id!r} "
                f"in region {region.id!r}: {type(exc).__name__}: {exc}"
            ) from exc
        return self.adjust_plan(plan, product, region, strategy)

    def adjust_plan(
        self, plan: ServicePlan, product: ProductProfile, region: Region, strategy: Strategy
    ) -> ServicePlan:
        kwargs = {"product": product, "region": region, "strategy": strategy}
        for impl in self.pm.hook.planner_adjust_plan.get_hookimpls():
            ok, changed = self._call(impl, "planner_adjust_plan", {**kwargs, "plan": plan})
            if not ok or changed is None:
                continue
            if not isinstance(changed, ServicePlan):
                self.problems.append(
                    f"plugin {impl.plugin_name!r} failed in planner_adjust_plan: "
                    f"returned {type(changed).__name__}, not a ServicePlan"
                )
                continue
            plan = changed
        return plan

    # ------------------------------------------------------------ scorecards, exports

    def scorecards(self, report: PlanReport, strategy: Strategy) -> list[Scorecard]:
        cards: list[Scorecard] = []
        for plugin, result in self._call_each(
            "planner_scorecards", report=report, strategy=strategy
        ):
            for card in result or ():
                cards.append(card if card.source else card.model_copy(update={"source": plugin}))
        return cards

    def scenario_scorecards(self, facts: ScenarioFacts) -> list[Scorecard]:
        """Every plugin's scorecards of a scenario run, each card's ``source`` its plugin."""
        cards: list[Scorecard] = []
        for plugin, result in self._call_each("planner_scenario_scorecards", facts=facts):
            for card in result or ():
                cards.append(card if card.source else card.model_copy(update={"source": plugin}))
        return cards

    def export_formats(self) -> Register[ExportEntry]:
        """Export formats by name, each with the plugin that provides it."""
        if self._exports is None:
            self._exports = self._collect(
                Register("export format"), "planner_export_formats", self._export
            )
        return self._exports

    @staticmethod
    def _export(plugin: str, fmt: ExportFormat) -> tuple[str, ExportEntry, str]:
        return fmt.name, ExportEntry(plugin, fmt), f"plugin {plugin!r}"

    def export_format(self, name: str) -> ExportEntry:
        """The registered export format ``name``; an :class:`InputError` listing the known ones."""
        return self.export_formats().lookup(name)

    def hooks(self) -> list[dict[str, Any]]:
        """Every hook with the plugins implementing it, in call order."""
        out = []
        for name in sorted(n for n in dir(hookspecs) if n.startswith("planner_")):
            hook = getattr(self.pm.hook, name)
            out.append({"name": name, "plugins": [i.plugin_name for i in hook.get_hookimpls()]})
        return out


# ---------------------------------------------------------------- building the manager


def _blocked() -> tuple[bool, set[str]]:
    raw = os.environ.get(BLOCK_ENV, "").strip()
    names = {n.strip() for n in raw.split(",") if n.strip()}
    return "*" in names, names


def _register(host: PluginHost, plugin: object, name: str) -> None:
    try:
        host.pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r}: {exc}") from None


def load_plugins(
    *,
    plugins_dir: Path | None = None,
    entry_points: bool = True,
    extra: Iterable[tuple[str, object]] = (),
) -> PluginHost:
    """Build the plugin manager: built-ins, entry points, a plugins directory, ``extra``.

    ``extra`` registers already-imported plugin objects under the given names
    (tests use it). Raises :class:`PluginError` for a misspelt hook.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    host = PluginHost(pm=pm)
    block_all, blocked = _blocked()
    planner_version = importlib.metadata.version("service-planner")

    for module_name in BUILTIN_PLUGINS:
        module = importlib.import_module(module_name)
        short = module_name.rsplit(".", 1)[-1]
        host.versions[short] = planner_version
        _register(host, module, short)

    if entry_points and not block_all:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in blocked or host.pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # noqa: BLE001 - reported, the others still load
                host.problems.append(
                    f"plugin {ep.name!r} (entry point {ep.value}) failed to load: "
                    f"{type(exc).__name__}: {exc}"
                )
                continue
            if ep.dist is not None:
                host.versions[ep.name] = ep.dist.version
            _register(host, plugin, ep.name)

    directory = plugins_dir or (
        Path(os.environ[PLUGINS_DIR_ENV]) if os.environ.get(PLUGINS_DIR_ENV) else None
    )
    if directory is not None and not block_all:
        for name, module in _load_directory(directory, blocked, host.problems):
            _register(host, module, name)

    for name, plugin in extra:
        _register(host, plugin, name)

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin)!r}: {exc}") from None
    return host


def _load_directory(
    directory: Path, blocked: set[str], problems: list[str]
) -> Iterator[tuple[str, ModuleType]]:
    if not directory.is_dir():
        raise PluginError(f"plugins directory {str(directory)!r} does not exist")
    for path in sorted(directory.glob("*.py")):
        name = path.stem
        if name.startswith("_") or name in blocked:
            continue
        module_name = f"service_planner_local_plugins.{name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        try:
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001
            sys.modules.pop(module_name, None)
            problems.append(f"plugin {name!r} ({path}) failed to load: {type(exc).__name__}: {exc}")
            continue
        yield name, module
