"""The starting ages within 65+ (sim/kernel/old_age.py): left out, their decline is the fit to the census's own groups
within 65+ (sim/data/census.yaml), recomputed here from the data; a scenario's own value is used as given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.optimize import brentq

from sim.data import load_census
from sim.kernel import old_age
from sim.kernel.old_age import fitted_old_age_decline, old_age_decline
from sim.scenario import ScenarioError
from sim.scenario.schema import SCENARIO
from tests.conftest import make_scenario

ROOT = Path(__file__).resolve().parents[1]
SOURCE = SCENARIO.fields["population"].fields["old_age_decline_per_year"].source


def share_80_plus(decline: float) -> float:
    """The 80+ share of the 65+ under exp(-decline (age - 65)) over whole years 65..100, written out here."""
    years = np.arange(65, 101)
    w = np.exp(-decline * (years - 65))
    return w[years >= 80].sum() / w.sum()


@pytest.mark.parametrize(("census", "share"), [(2020, 247900 / 1097100), (2010, 194500 / 893900)])
def test_the_decline_left_out_is_the_fit_to_the_census_s_groups_within_65_plus(census, share):
    """The table is the sourced one (2020: the 2015 sample, a proxy; 2010: the 2010 census); with two groups least
    squares meets its 80+ share exactly, so the fit is the root of share_80_plus(d) = share, solved here."""
    groups = load_census()[f"census_{census}"]["age_65_plus_groups"]["groups"]
    assert groups["80+"] / sum(groups.values()) == pytest.approx(share, rel=1e-12)
    solved = brentq(lambda d: share_80_plus(d) - share, 1e-6, 1.0, xtol=1e-12)
    fitted = fitted_old_age_decline(census)
    assert fitted == pytest.approx(solved, abs=1e-8)
    bounds, _ = old_age.old_age_table(census)
    assert bounds == [(65, 80), (80, 101)]
    assert old_age.old_age_group_shares(fitted, bounds) == pytest.approx([1 - share, share], abs=1e-9)
    assert f"{census} gives {fitted:.4f}" in SOURCE          # what the schema's source states, to four digits


def test_the_two_censuses_differ_and_a_scenario_s_own_value_wins():
    assert fitted_old_age_decline(2010) > fitted_old_age_decline(2020) + 0.002
    assert make_scenario().population.old_age_decline_per_year is None
    assert old_age_decline(make_scenario().population) == fitted_old_age_decline(2020)
    backcast = make_scenario({"population.census": 2010, "period.start": "2010-11-01"}).population
    assert old_age_decline(backcast) == fitted_old_age_decline(2010)
    assert old_age_decline(make_scenario({"population.old_age_decline_per_year": 0.12}).population) == 0.12
    assert old_age_decline(make_scenario({"population.old_age_decline_per_year": 0}).population) == 0.0


@pytest.mark.parametrize(("value", "match"), [(-0.01, r"between 0 and 1, got -0\.01"), (1.5, r"between 0 and 1"),
                                              ("fast", r"number")])
def test_a_bad_decline_is_refused_naming_the_setting(value, match):
    with pytest.raises(ScenarioError, match=match) as info:
        make_scenario({"population.old_age_decline_per_year": value})
    assert info.value.field == "population.old_age_decline_per_year"


def test_the_geometric_form_s_tail_is_heavier_than_the_national_2010_census_s():
    """What docs/model.md 7.1 and the schema's source say: at the 2010 fit the form puts 6.4% of the 65+ at 90 or
    more, China's 2010 census table 1.7% (docs/sources/demography_search.yaml, old_age_groups): the form, not the
    fitted rate, is the assumption."""
    record = yaml.safe_load((ROOT / "docs" / "sources" / "demography_search.yaml").read_text(encoding="utf-8"))
    china = next(f for f in record["old_age_groups"]["found"] if f["area"] == "China")["persons"]
    national_90 = (china["90-94"] + china["95-99"] + china["100+"]) / sum(china.values())
    model_90 = old_age.old_age_group_shares(fitted_old_age_decline(2010), [(90, 101)])[0]
    assert national_90 == pytest.approx(0.017, abs=0.0005) and model_90 == pytest.approx(0.064, abs=0.0005)
    assert "90+ 6.4% of the 65+ at 0.094, China's 2010 census 1.7%" in SOURCE


def test_the_group_labels_read_as_ages():
    assert old_age.group_bounds("65-79") == (65, 80)
    assert old_age.group_bounds("80+") == (80, 101)
