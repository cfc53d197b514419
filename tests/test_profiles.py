"""Loading profile files: every kind of bad input gives one clear line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.profiles import ProfileError, load_profile, validate_files

KNOWN = {"concrete_pump", "crawler_crane", "excavator"}


def problems(path: Path) -> list[str]:
    return validate_files([path], KNOWN)


def one(path: Path) -> str:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


def test_same_profile_in_json_yaml_toml(tmp_path, tiny_product):
    import yaml

    (tmp_path / "p.json").write_text(json.dumps(tiny_product), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(tiny_product), encoding="utf-8")
    toml_lines = [
        'kind = "product"',
        'id = "concrete_pump"',
        'family = "f"',
        'model = "m"',
        'name = "n"',
        'strategic_role = "core"',
        'usage_metric = "m3_pumped"',
        "annual_usage = 1000.0",
        "failures_per_year = 2.0",
        "repair_hours = 5.0",
        "warranty_months = 12",
        "downtime_cost_per_hour = 800.0",
        "[[preventive]]",
        'id = "L1"',
        'name = "l1"',
        "every_months = 6.0",
        "labour_hours = 2.0",
        "[[parts]]",
        'id = "P1"',
        'name = "p"',
        "quantity_per_machine = 1",
        "failures_per_machine_year = 0.5",
        "unit_cost = 10.0",
        "lead_time_days = 3.0",
    ]
    toml = "\n".join(toml_lines)
    (tmp_path / "p.toml").write_text(toml, encoding="utf-8")
    a = load_profile(tmp_path / "p.json")
    b = load_profile(tmp_path / "p.yaml")
    c = load_profile(tmp_path / "p.toml")
    assert isinstance(a, ProductProfile) and a == b
    assert isinstance(c, ProductProfile) and c.parts[0].criticality == "B"


def test_regions_and_strategy_load(write_json, tiny_regions, tiny_strategy):
    assert isinstance(load_profile(write_json("r.json", tiny_regions)), RegionSet)
    assert isinstance(load_profile(write_json("s.json", tiny_strategy)), Strategy)


def test_missing_field(write_json, tiny_product):
    del tiny_product["repair_hours"]
    path = write_json("p.json", tiny_product)
    assert one(path) == f"{path}: repair_hours: field required"


def test_extra_field(write_json, tiny_product):
    tiny_product["parts"][1]["colour"] = "red"
    path = write_json("p.json", tiny_product)
    assert one(path) == f"{path}: parts[1].colour: unknown field (got 'red')"


def test_wrong_type(write_json, tiny_product):
    tiny_product["annual_usage"] = "lots"
    path = write_json("p.json", tiny_product)
    line = one(path)
    assert line.startswith(f"{path}: annual_usage: ") and line.endswith("(got 'lots')")


@pytest.mark.parametrize(
    ("field", "value"),
    [("failures_per_year", -1.0), ("failures_per_year", 1e6), ("repair_hours", 0.0)],
)
def test_negative_or_absurd_rates(write_json, tiny_product, field, value):
    tiny_product[field] = value
    path = write_json("p.json", tiny_product)
    line = one(path)
    assert line.startswith(f"{path}: {field}: ") and line.endswith(f"(got {value!r})")


def test_nan_is_rejected(tmp_path, tiny_product):
    text = json.dumps(tiny_product).replace('"annual_usage": 1000.0', '"annual_usage": NaN')
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    assert one(path).startswith(f"{path}: annual_usage: ")


def test_part_rate_given_twice(write_json, tiny_product):
    tiny_product["parts"][0]["failures_per_usage_unit"] = 0.001
    path = write_json("p.json", tiny_product)
    assert "parts[0]" in one(path) and "exactly one" in one(path)


def test_duplicate_ids_name_both_places(write_json, tiny_product, tiny_regions):
    tiny_product["parts"].append(dict(tiny_product["parts"][0]))
    path = write_json("p.json", tiny_product)
    assert one(path) == f"{path}: parts[2].id: duplicate id, also at parts[0] (got 'P1')"
    tiny_regions["regions"][1]["id"] = "R1"
    path = write_json("r.json", tiny_regions)
    assert one(path) == f"{path}: regions[1].id: duplicate id, also at regions[0] (got 'R1')"
    tiny_regions["regions"][1]["id"] = "R2"
    tiny_regions["regions"][0]["sites"][1]["id"] = "S-CS"
    path = write_json("r.json", tiny_regions)
    assert (
        one(path) == f"{path}: regions[0].sites[1].id: duplicate id, also at sites[0] (got 'S-CS')"
    )


def test_shares_must_add_up(write_json, tiny_regions):
    tiny_regions["regions"][0]["sites"][0]["share"] = 0.7
    path = write_json("r.json", tiny_regions)
    assert one(path) == f"{path}: regions[0].sites: shares must add up to 1 (got a total of 0.95)"


def test_unknown_part_in_a_preventive_level(write_json, tiny_product):
    tiny_product["preventive"][1]["parts"][0]["part"] = "P9"
    path = write_json("p.json", tiny_product)
    assert one(path) == f"{path}: preventive[1].parts[0].part: not in the parts list (got 'P9')"


def test_unknown_product_references(write_json, tiny_regions, tiny_strategy):
    tiny_regions["regions"][0]["installed_base"]["bulldozer"] = 3
    r = write_json("r.json", tiny_regions)
    line = one(r)
    assert line.startswith(
        f"{r}: regions[0].installed_base.bulldozer: unknown product (got 'bulldozer'"
    )
    tiny_strategy["products"]["bulldozer"] = {"role": "core"}
    s = write_json("s.json", tiny_strategy)
    assert one(s).startswith(f"{s}: products.bulldozer: unknown product (got 'bulldozer'")
    scenario = write_json("sc.json", {"kind": "scenario", "name": "x", "products": ["bulldozer"]})
    assert one(scenario).startswith(f"{scenario}: products[0]: unknown product (got 'bulldozer'")


def test_product_file_makes_its_id_known(write_json, tiny_product, tiny_regions):
    tiny_product["id"] = "mixer_truck"
    tiny_regions["regions"][0]["installed_base"] = {"mixer_truck": 5}
    paths = [write_json("p.json", tiny_product), write_json("r.json", tiny_regions)]
    assert validate_files(paths, KNOWN) == []


def test_road_link_to_unknown_node(write_json, tiny_regions):
    tiny_regions["regions"][0]["roads"] = [{"from": "S-CS", "to": "NOWHERE", "hours": 1.0}]
    path = write_json("r.json", tiny_regions)
    assert one(path) == (
        f"{path}: regions[0].roads[0].to: not a site or station of the region (got 'NOWHERE')"
    )


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(b'kind = "product"\nname = "\xff\xfe"\n')
    assert one(path) == f"{path}: not UTF-8 text: byte 0xff at offset 25"


def test_yaml_python_tag_is_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "p.yaml"
    path.write_text(
        f"kind: product\nid: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8"
    )
    line = one(path)
    assert line.startswith(f"{path}: invalid or unsafe YAML: ")
    assert not marker.exists()


@pytest.mark.parametrize("content", ["", "   \n\n", "# only a comment\n"])
@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_empty_files(tmp_path, content, suffix):
    path = tmp_path / f"profile{suffix}"
    path.write_text(content, encoding="utf-8")
    line = one(path)
    if suffix == ".json" and content.strip():
        assert line.startswith(f"{path}: invalid JSON: ")
    else:
        assert line.startswith(f"{path}: file is empty")


def test_kind_missing_or_unknown(write_json, tiny_product):
    del tiny_product["kind"]
    path = write_json("p.json", tiny_product)
    assert one(path) == (
        f"{path}: kind: field required; say what the file is: one of product, regions, strategy, self_assessment, scenario"
    )
    tiny_product["kind"] = "tractor"
    path = write_json("p.json", tiny_product)
    assert (
        one(path)
        == f"{path}: kind: must be one of product, regions, strategy, self_assessment, scenario (got 'tractor')"
    )


def test_top_level_must_be_a_table(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert one(path) == f"{path}: (top level): expected a table of fields (got list)"


def test_syntax_errors_and_suffix(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text("kind = \n", encoding="utf-8")
    assert one(bad).startswith(f"{bad}: invalid TOML: ")
    other = tmp_path / "p.ini"
    other.write_text("[x]\n", encoding="utf-8")
    assert one(other).startswith(f"{other}: file type '.ini' is not one of")
    missing = tmp_path / "nope.toml"
    assert one(missing).startswith(f"{missing}: cannot read: ")


def test_every_problem_of_a_file_is_listed(write_json, tiny_product):
    tiny_product["repair_hours"] = -1
    tiny_product["warranty_months"] = "long"
    tiny_product["parts"][0]["unit_cost"] = -5
    found = problems(write_json("p.json", tiny_product))
    assert len(found) == 3
    assert any(".parts[0].unit_cost" in f or ": parts[0].unit_cost" in f for f in found)


def test_expecting_a_kind(write_json, tiny_strategy):
    from planner.profiles import load_regions

    path = write_json("s.json", tiny_strategy)
    with pytest.raises(ProfileError) as info:
        load_regions(path)
    assert info.value.problems == [
        f"{path}: kind: this option takes a regions profile (got 'strategy')"
    ]
