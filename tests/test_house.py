"""The shape of the house, checked: no core module longer than a newcomer can read, tests
and benchmarks on the core's public names only, front ends that reach no solver module."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "planner"
LONGEST = 800


def test_no_core_module_is_longer_than_800_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in CORE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert not long, f"modules over {LONGEST} lines: {long}"


def private_uses(path: Path) -> list[str]:
    """``planner`` names starting with an underscore that ``path`` imports or reaches as an
    attribute of an imported core module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    core_aliases: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("planner"):
            found += [
                f"{node.module}.{a.name}"
                for a in node.names
                if a.name.startswith("_") and a.name != "__version__"
            ]
            if any(part.startswith("_") for part in node.module.split(".")):
                found.append(node.module)
            core_aliases |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("planner"):
                    core_aliases.add((a.asname or a.name).split(".")[0])
                    if any(part.startswith("_") for part in a.name.split(".")):
                        found.append(a.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in core_aliases
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").glob("*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_tests_and_benchmarks_use_public_names_of_the_core(path):
    assert not private_uses(path), f"{path.name} uses {private_uses(path)}"


def test_the_private_name_check_finds_one(tmp_path):
    """The check above can fail: a module reaching a private name is caught."""
    bad = tmp_path / "bad.py"
    lines = [
        "from planner.optimise.technicians import (",
        "    _solve,",
        ")",
        "import planner.scenario as sc",
        "sc._depot",
    ]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert private_uses(bad) == ["planner.optimise.technicians._solve", "sc._depot"]


def test_every_core_package_is_in_the_distribution():
    """A package missing from pyproject's list works in an editable install and is gone from
    a wheel: every folder of planner/ with an __init__.py is listed."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in CORE.rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert not found - listed, f"not in pyproject.toml's packages: {sorted(found - listed)}"
