"""Hostile profile files: whatever is in them, validation answers with lines, never a crash."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.profiles import validate_files
from tests.conftest import TINY_PRODUCT, TINY_REGIONS, TINY_STRATEGY

KNOWN = {"concrete_pump", "crawler_crane", "excavator"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


def paths(doc, prefix=()):
    """Every path into a JSON document."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for k, v in enumerate(doc):
            yield from paths(v, (*prefix, k))


def replaced(doc, path, value):
    doc = copy.deepcopy(doc)
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def check(text: bytes, suffix: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"profile{suffix}"
        path.write_bytes(text)
        found = validate_files([path], KNOWN)
    for line in found:
        assert line.startswith(str(path)), line
        assert "Traceback" not in line
    return found


DOCS = [TINY_PRODUCT, TINY_REGIONS, TINY_STRATEGY]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DOCS), st.data(), json_values)
def test_any_field_replaced_by_anything(doc, data, value):
    path = data.draw(st.sampled_from(list(paths(doc))))
    check(json.dumps(replaced(doc, path, value)).encode(), ".json")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([".json", ".yaml", ".toml"]))
def test_any_bytes(raw, suffix):
    found = check(raw, suffix)
    assert found  # random bytes are never a valid profile


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from([".yaml", ".toml"]))
def test_any_text(text, suffix):
    check(text.encode("utf-8"), suffix)
