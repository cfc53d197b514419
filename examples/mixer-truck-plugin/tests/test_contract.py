"""The product contract, run over this plugin's product class."""

from service_planner_mixer import MixerTruck

from planner.plugins import load_plugins
from planner.testing import check_product


def test_contract():
    check_product(MixerTruck)


def test_registered_through_the_entry_point():
    entry = load_plugins().product("mixer_truck")
    assert entry.plugin == "mixer" and entry.cls is MixerTruck
