"""The plugin guide documents every hook with its exact signature, and its example works."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import pytest

from planner import hookspecs
from planner.plugins import load_plugins
from planner.testing import check_product

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "mixer-truck-plugin"


def hook_names() -> list[str]:
    return sorted(name for name in dir(hookspecs) if name.startswith("planner_"))


def signature_line(name: str) -> str:
    signature = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"def {name}({params}) -> {signature.return_annotation}"


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_is_documented_with_its_exact_signature(name):
    guide = GUIDE.read_text(encoding="utf-8")
    assert f"### `{name}`" in guide, f"docs/plugins.md has no section for {name}"
    assert signature_line(name) in guide, (
        f"docs/plugins.md does not show the current signature of {name}:\n  {signature_line(name)}"
    )
    assert inspect.getdoc(getattr(hookspecs, name)), f"{name} has no docstring"


def test_guide_names_no_hook_that_does_not_exist():
    documented = set(
        re.findall(r"^### `(planner_\w+)`", GUIDE.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert documented == set(hook_names())


@pytest.fixture
def installed_example(tmp_path, monkeypatch):
    """The example package on sys.path with dist-info written from its own pyproject."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = tmp_path / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    points = project["entry-points"]["service_planner"]
    (info / "entry_points.txt").write_text(
        "[service_planner]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()), encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    yield


def test_example_plugin_registers_and_keeps_the_contract(installed_example):
    entry = load_plugins().product("mixer_truck")
    assert (entry.plugin, entry.version) == ("mixer", "0.1.0")
    check_product(entry.cls)


ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _modules(package: Path) -> list[str]:
    return sorted(p.name for p in package.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize(
    "package",
    [
        "planner/optimise",
        "planner/optimise/technicians",
        "planner/optimise/location",
        "planner/optimise/spares",
    ],
)
def test_architecture_page_names_every_solver_module(package):
    """The architecture page lists every module of the solver packages, so that the tree it
    draws is the tree that is there."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [name for name in _modules(ROOT / package) if name not in text]
    assert not missing, f"docs/architecture.md does not name {missing} of {package}"


def test_readme_layout_names_every_core_module():
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1]
    missing = [name for name in _modules(ROOT / "planner") if name not in layout]
    assert not missing, f"the README's layout does not name {missing}"


def test_the_readme_scenario_example_loads():
    """The scenario file the README shows is valid and its overrides reach their values."""
    from planner.scenario import load_scenario

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Scenarios", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example, "the Scenarios section shows no scenario file"
    loaded = load_scenario(data=tomllib.loads(example.group(1)), source="README.md")
    east = loaded.regions.region("east")
    assert east.technician.annual_cost == 150000.0
    assert loaded.strategy.parts_holding_rate == 0.15
    assert loaded.strategy.budget.spares == 200_000_000.0
