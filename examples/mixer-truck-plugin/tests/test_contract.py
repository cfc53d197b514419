"""The product contract, run over this plugin's product class: one test per check."""

from service_planner_mixer import MixerTruck

from planner.plugins import load_plugins
from planner.testing import parametrize_with_checks


@parametrize_with_checks([MixerTruck])
def test_contract(check):
    check()


def test_registered_through_the_entry_point():
    entry = load_plugins().product("mixer_truck")
    assert entry.plugin == "mixer" and entry.cls is MixerTruck
