"""Sensitivity indices through the sweep's own pipeline (sample, evaluate, analyze) on functions with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.experiment.design import Parameter, sample
from sim.experiment.sensitivity import IndexRow, analyze, csv_text, ranking_warnings
from sim.experiment.sensitivity_plots import indices_plot, scatter_plot
from sim.output.formats import SENSITIVITY

ISHIGAMI = [Parameter(f"test.ishigami.x{i}", low=-math.pi, high=math.pi) for i in (1, 2, 3)]
#: analytic indices of the Ishigami function with a = 7, b = 0.1
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
#: N = 2048 base samples (16384 points): estimates within 0.05 of the analytic values
TOLERANCE = 0.05
#: how far outside its 95% interval an analytic value may lie (one in twenty may miss by a little)
SLACK = 0.02
LINEAR = [Parameter(f"test.linear.x{i}", low=0.0, high=1.0) for i in (1, 2, 3)]


def ishigami(X):
    return np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])


def indices(rows, index):
    return [next(r for r in rows if r.parameter == p.path and r.index == index) for p in ISHIGAMI]


@pytest.fixture(scope="module")
def ishigami_rows():
    X = sample("sobol", ISHIGAMI, 2048, seed=11)
    return analyze("sobol", ISHIGAMI, X, ishigami(X), "ishigami", seed=11)


@pytest.mark.parametrize(("index", "analytic"), [("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)])
def test_sobol_recovers_the_ishigami_indices(ishigami_rows, index, analytic):
    for row, expected in zip(indices(ishigami_rows, index), analytic, strict=True):
        assert row.method == "sobol" and row.output == "ishigami"
        assert row.value == pytest.approx(expected, abs=TOLERANCE), row
        assert row.conf_low - SLACK <= expected <= row.conf_high + SLACK, row
        assert row.conf_low < row.value < row.conf_high


def test_sobol_rows_are_one_per_parameter_and_index(ishigami_rows):
    assert [(r.parameter[-2:], r.index) for r in ishigami_rows] == [
        ("x1", "S1"), ("x1", "ST"), ("x2", "S1"), ("x2", "ST"), ("x3", "S1"), ("x3", "ST")]


def test_morris_ranks_a_linear_function():
    X = sample("morris", LINEAR, 20, seed=3)
    rows = analyze("morris", LINEAR, X, 10 * X[:, 0] + 1 * X[:, 1] + 0 * X[:, 2], "linear", seed=3)
    mu_star = {r.parameter[-2:]: r for r in rows if r.index == "mu_star"}
    assert mu_star["x1"].value > mu_star["x2"].value > mu_star["x3"].value == 0
    # the elementary effect is the change over the whole range: the slopes themselves here
    assert mu_star["x1"].value == pytest.approx(10) and mu_star["x2"].value == pytest.approx(1)
    sigma = [r for r in rows if r.index == "sigma"]
    assert len(sigma) == 3 and all(math.isnan(r.conf_low) and math.isnan(r.conf_high) for r in sigma)
    assert ranking_warnings(rows) == []


def test_morris_uses_the_log_scale_of_log_parameters():
    params = [Parameter("test.log.x1", low=1e-3, high=1e-1, log=True), Parameter("test.log.x2", low=0, high=1)]
    X = sample("morris", params, 10, seed=4)
    rows = analyze("morris", params, X, np.log10(X[:, 0]) + X[:, 1], "y", seed=4)
    # log10 spans 2 over the range of x1, x2 spans 1: effects 2 and 1 only when analysed in log space
    assert [r.value for r in rows if r.index == "mu_star"] == pytest.approx([2, 1])


def test_grid_and_lhs_have_no_indices():
    for design in ("grid", "lhs"):
        X = sample(design, LINEAR, 16, seed=0)
        assert analyze(design, LINEAR, X, X.sum(axis=1), "y", seed=0) == []


def test_ranking_warnings_need_more_samples_only_when_few():
    def rows(n):
        X = sample("sobol", LINEAR, n, seed=3)
        return analyze("sobol", LINEAR, X, 4 * X[:, 0] + 2 * X[:, 1] + X[:, 2], "linear", seed=3)

    few = ranking_warnings(rows(8))
    assert any(w.startswith("cannot tell test.linear.x") and "for output linear: ST" in w for w in few), few
    assert all("run more samples" in w for w in few)
    assert ranking_warnings(rows(1024)) == []               # ST = 0.76, 0.19, 0.05, intervals far apart


def test_ranking_warnings_on_wide_intervals_and_constant_outputs():
    def row(parameter, index, value, conf):
        return IndexRow("y", parameter, "sobol", index, value, value - conf, value + conf)

    wide = ranking_warnings([row("a.x", "ST", 0.9, 0.05), row("a.y", "ST", 0.3, 0.01), row("a.y", "S1", 0.4, 0.6)])
    assert wide == ["S1 of a.y for output y is 0.40 [-0.20, 1.00]: the interval is wider than the 0..1 range can "
                    "say anything about; run more samples"]
    X = sample("sobol", LINEAR, 8, seed=0)
    constant = analyze("sobol", LINEAR, X, np.ones(len(X)), "flat", seed=0)
    assert ranking_warnings(constant) == ["no sobol indices for output flat: it does not vary over the design"]


def test_analyze_rejects_mismatched_inputs():
    X = sample("morris", LINEAR, 4, seed=0)
    with pytest.raises(ValueError, match="one value per design point"):
        analyze("morris", LINEAR, X, np.ones(len(X) - 1), "y", seed=0)
    with pytest.raises(ValueError, match="NaN"):
        analyze("sobol", LINEAR, X[:10], np.full(10, np.nan), "y", seed=0)
    lhs = sample("lhs", LINEAR, len(X), seed=0)                               # not a morris design
    with pytest.raises(ValueError, match="step 1 changes test.linear.x1, test.linear.x2, test.linear.x3"):
        analyze("morris", LINEAR, lhs, np.ones(len(X)), "y", seed=0)
    collapsed = X.copy()
    collapsed[1] = collapsed[0]                                # as rounding onto too few levels might do
    with pytest.raises(ValueError, match="trajectory 0 step 1 changes no parameter"):
        analyze("morris", LINEAR, collapsed, np.ones(len(X)), "y", seed=0)


def test_csv_text(ishigami_rows):
    lines = csv_text(ishigami_rows).splitlines()
    assert lines[0] == ",".join(SENSITIVITY.columns) == "output,parameter,method,index,value,conf_low,conf_high"
    assert len(lines) == 1 + 6 and lines[1].startswith("ishigami,test.ishigami.x1,sobol,S1,0.3")
    sigma = IndexRow("y", "a.x", "morris", "sigma", 0.25, math.nan, math.nan)
    assert csv_text([sigma]).splitlines()[1] == "y,a.x,morris,sigma,0.25,,"


def test_plots_write_pngs(tmp_path, ishigami_rows):
    X = sample("morris", LINEAR, 6, seed=1)
    morris_rows = analyze("morris", LINEAR, X, 10 * X[:, 0] + X[:, 1], "linear", seed=1)
    written = indices_plot(ishigami_rows + morris_rows, tmp_path / "plots" / "sensitivity.png")
    assert written == tmp_path / "plots" / "sensitivity.png"
    outputs = {"linear": 10 * X[:, 0] + X[:, 1], "square": X[:, 2] ** 2}
    scatter = scatter_plot(X + 0.1, outputs, [p.path for p in LINEAR], str(tmp_path / "scatter.png"),
                           log_axes=[True, False, False])
    for path in (written, scatter):
        assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["plots", "scatter.png", "sensitivity.png"]  # no temp files
    with pytest.raises(ValueError, match="no sensitivity indices"):
        indices_plot([], tmp_path / "empty.png")


def test_no_warning_about_the_order_of_negligible_parameters():
    from sim.experiment.sensitivity import IndexRow, ranking_warnings

    def st(parameter, value, low, high):
        return IndexRow("y@2023", parameter, "sobol", "ST", value, low, high)

    rows = [st("a", 0.8, 0.7, 0.9), st("b", 0.01, 0.0, 0.02), st("c", 0.005, 0.0, 0.01)]
    assert ranking_warnings(rows) == []                  # b and c overlap, but both are below 5% of 0.8
    rows.append(st("d", 0.1, 0.0, 0.2))                   # d overlaps b and is not negligible
    assert ranking_warnings(rows) == ["cannot tell d from b for output y@2023: ST 0.10 [0.00, 0.20] vs "
                                      "0.01 [0.00, 0.02]; run more samples"]
