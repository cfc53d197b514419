"""Load and validate profile files (TOML, YAML or JSON).

A profile file says what it is with a top-level ``kind``: ``product``,
``regions``, ``strategy``, ``self_assessment`` (answers to the GB/T 27922 items) or
``scenario`` (read by :func:`planner.scenario.load_scenario`). Every problem becomes one line
``file: field.path: message (got value)``, collected in a
:class:`ProfileError`; nothing in a file is ever executed (YAML is read with
the safe loader only).
"""

from __future__ import annotations

import importlib.resources
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.errors import PlannerError
from planner.models.assessment import SelfAssessment
from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.models.scenario import Scenario

KINDS: dict[str, type[BaseModel]] = {
    "product": ProductProfile,
    "regions": RegionSet,
    "strategy": Strategy,
    "self_assessment": SelfAssessment,
    "scenario": Scenario,
}
SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
MAX_BYTES = 20 * 1024 * 1024
_PATH_IN_MESSAGE = re.compile(r"^([A-Za-z_][\w.\[\]]*): (.*)$", re.DOTALL)


class ProfileError(PlannerError):
    """One or more problems in profile files, one line each."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _loc(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def format_validation_error(source: str, error: ValidationError) -> list[str]:
    """One ``source: field.path: message (got value)`` line per pydantic error."""
    lines = []
    for err in error.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        path = _loc(loc)
        msg = err["msg"]
        if err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
            inner = _PATH_IN_MESSAGE.match(msg)
            if inner:
                path = f"{path}.{inner.group(1)}" if path else inner.group(1)
                msg = inner.group(2)
        shown = path or "(top level)"
        if err["type"] == "missing":
            lines.append(f"{source}: {shown}: field required")
        elif err["type"] == "extra_forbidden":
            lines.append(f"{source}: {shown}: unknown field (got {_short(err['input'])})")
        elif "(got " in msg or err["type"] == "value_error":
            lines.append(f"{source}: {shown}: {msg}")
        else:
            lines.append(f"{source}: {shown}: {msg} (got {_short(err['input'])})")
    return lines


def read_document(path: Path) -> dict[str, Any]:
    """Parse a TOML, YAML or JSON file into a mapping, or raise :class:`ProfileError`."""
    source = str(path)
    syntax = SUFFIXES.get(path.suffix.lower())
    if syntax is None:
        raise ProfileError(
            [
                f"{source}: file type {path.suffix or '(none)'!r} is not one of .toml, .yaml, .yml, .json"
            ]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError([f"{source}: cannot read: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_BYTES:
        raise ProfileError([f"{source}: file is larger than {MAX_BYTES} bytes (got {len(raw)})"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            [f"{source}: not UTF-8 text: byte {raw[exc.start]:#04x} at offset {exc.start}"]
        ) from None
    if not text.strip():
        raise ProfileError([f"{source}: file is empty"])
    try:
        if syntax == "toml":
            data: Any = tomllib.loads(text)
        elif syntax == "json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError([f"{source}: invalid TOML: {exc}"]) from None
    except json.JSONDecodeError as exc:
        raise ProfileError([f"{source}: invalid JSON: {exc}"]) from None
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        raise ProfileError([f"{source}: invalid or unsafe YAML: {detail}"]) from None
    except RecursionError:
        raise ProfileError([f"{source}: nested too deeply"]) from None
    if data is None or data == {}:
        raise ProfileError([f"{source}: file is empty (no fields)"])
    if not isinstance(data, dict):
        raise ProfileError(
            [f"{source}: (top level): expected a table of fields (got {type(data).__name__})"]
        )
    return data


def kind_of(source: str, data: Mapping[str, Any]) -> type[BaseModel]:
    kind = data.get("kind")
    if kind is None:
        raise ProfileError(
            [f"{source}: kind: field required; say what the file is: one of {', '.join(KINDS)}"]
        )
    if not isinstance(kind, str) or kind not in KINDS:
        raise ProfileError(
            [f"{source}: kind: must be one of {', '.join(KINDS)} (got {_short(kind)})"]
        )
    return KINDS[kind]


def load_profile(path: str | Path, expect: type[BaseModel] | None = None) -> BaseModel:
    """Load one profile file; ``expect`` insists on its kind."""
    path = Path(path)
    data = read_document(path)
    model = kind_of(str(path), data)
    if expect is not None and model is not expect:
        wanted = next(k for k, m in KINDS.items() if m is expect)
        raise ProfileError(
            [f"{path}: kind: this option takes a {wanted} profile (got {data['kind']!r})"]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(format_validation_error(str(path), exc)) from None
    except RecursionError:
        raise ProfileError([f"{path}: nested too deeply"]) from None


def load_product(path: str | Path) -> ProductProfile:
    profile = load_profile(path, ProductProfile)
    assert isinstance(profile, ProductProfile)
    return profile


def load_regions(path: str | Path) -> RegionSet:
    profile = load_profile(path, RegionSet)
    assert isinstance(profile, RegionSet)
    return profile


def load_strategy(path: str | Path) -> Strategy:
    profile = load_profile(path, Strategy)
    assert isinstance(profile, Strategy)
    return profile


def load_self_assessment(path: str | Path) -> SelfAssessment:
    """Load a GB/T 27922 self-assessment file (``kind = "self_assessment"``)."""
    profile = load_profile(path, SelfAssessment)
    assert isinstance(profile, SelfAssessment)
    return profile


def cross_check(loaded: Mapping[str, BaseModel], known_products: Iterable[str]) -> list[str]:
    """Problems between files: references to products that neither a file nor a plugin defines."""
    products = set(known_products) | {
        m.id for m in loaded.values() if isinstance(m, ProductProfile)
    }
    problems: list[str] = []
    for source, model in loaded.items():
        if isinstance(model, RegionSet):
            for k, region in enumerate(model.regions):
                for product_id in region.installed_base:
                    if product_id not in products:
                        problems.append(
                            f"{source}: regions[{k}].installed_base.{product_id}: "
                            f"unknown product (got {product_id!r}; known: {', '.join(sorted(products))})"
                        )
        elif isinstance(model, Scenario):
            for k, product_id in enumerate(model.products):
                if product_id not in products:
                    problems.append(
                        f"{source}: products[{k}]: unknown product "
                        f"(got {product_id!r}; known: {', '.join(sorted(products))})"
                    )
        elif isinstance(model, Strategy):
            for product_id in model.products:
                if product_id not in products:
                    problems.append(
                        f"{source}: products.{product_id}: unknown product "
                        f"(got {product_id!r}; known: {', '.join(sorted(products))})"
                    )
    return problems


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; a directory stands for its profile files (by suffix, recursively)."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        else:
            out.append(path)
    return out


def validate_files(paths: Sequence[str | Path], known_products: Iterable[str]) -> list[str]:
    """Every problem in ``paths``, each file alone and then across files.

    A directory stands for every profile file below it.
    """
    problems: list[str] = []
    loaded: dict[str, BaseModel] = {}
    for path in expand_paths(paths):
        try:
            loaded[str(path)] = load_profile(path)
        except ProfileError as exc:
            problems.extend(exc.problems)
    problems.extend(cross_check(loaded, known_products))
    return problems


def bundled_path(name: str) -> Path:
    """Path of a bundled example profile (``regions.toml``, ``strategy.toml``, …)."""
    return Path(str(importlib.resources.files("service_planner_profiles").joinpath(name)))
