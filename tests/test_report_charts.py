"""The report's time chart draws the periods table: one step line per campus volume, each step as
long as its period, trucked water and shortage only when there are any, and a band per drought
stage. Expected values are read from `results.periods`, the table `--out` writes as periods.csv."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from model.bundled import bundled_case
from model.case import load_case
from model.results.charts import OTHER_STAGE, STAGE_COLOURS, time_chart
from model.studies import plan, with_cut
from period_casefiles import write_case as write_period_case


@pytest.fixture(scope="module")
def drought():
    # dated periods of 7, 21, 3, 30 ... days with their drought stages, cut by a further 20%:
    # tankers and shortage in some periods, not in others
    return plan(with_cut(load_case(bundled_case("kaohsiung-2023-drought")), cut=0.2))


@pytest.fixture(scope="module")
def rationed():
    # a 50% cut of a steady case with no tanker: shortage, and nothing trucked
    return plan(with_cut(load_case(bundled_case("ntip-2019-phase2")), cut=0.5))


def undated(tmp_path):
    """Two periods of 1 and 2 days with no start date."""
    folder = write_period_case(tmp_path, {
        "case.toml": 'name = "undated"\nmax_recycles = 1\n',
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,100,1.0,\n",
        "periods.csv": "period,days\na,1\nb,2\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,T,20\nb,T,50\n"})
    return plan(load_case(folder))


def lines(figure) -> dict[str, object]:
    return {t.name: t for t in figure.data if t.mode == "lines"}


def check_steps(trace, periods: pd.DataFrame, column: str, starts: list) -> None:
    """A step line ("hv") through each period's value, repeated at the end of the last period so
    that the last step is drawn as long as the others; x at each period's start, then the end."""
    assert trace.line.shape == "hv"
    assert list(trace.y) == pytest.approx(list(periods[column]) + [periods[column].iloc[-1]],
                                          rel=1e-12)
    assert list(trace.x) == starts
    assert trace.hovertemplate == f"%{{y:,.1f}} m3/day<extra>{trace.name}</extra>"


def test_dated_periods_step_by_their_days(drought):
    periods = drought.periods
    start = pd.to_datetime(periods.start)
    # period i starts where period i - 1 ends, its days later; the last x is the horizon's end
    ends = list(start + pd.to_timedelta(periods.days, unit="D"))
    assert ends[:-1] == list(start[1:])
    drawn = lines(time_chart(drought))
    assert set(drawn) == {"tap", "recycled", "trucked", "shortage"}
    assert (periods.tanker_m3_per_day > 0).any() and (periods.shortage_m3_per_day > 0).any()
    assert (periods.tanker_m3_per_day == 0).any() and (periods.shortage_m3_per_day == 0).any()
    for name, column in [("tap", "tap_m3_per_day"), ("recycled", "recycled_m3_per_day"),
                         ("trucked", "tanker_m3_per_day"), ("shortage", "shortage_m3_per_day")]:
        check_steps(drawn[name], periods, column, list(start) + ends[-1:])


def test_undated_periods_step_by_the_running_day_count(tmp_path):
    r = undated(tmp_path)
    assert r.periods.days.tolist() == [1, 2]
    drawn = lines(time_chart(r))
    assert set(drawn) == {"tap", "recycled"}    # nothing trucked, nothing short
    for name, column in [("tap", "tap_m3_per_day"), ("recycled", "recycled_m3_per_day")]:
        check_steps(drawn[name], r.periods, column, [0, 1, 3])


def test_shortage_is_drawn_when_there_is_some_though_nothing_is_trucked(rationed):
    periods = rationed.periods
    assert (periods.shortage_m3_per_day > 0).all() and not (periods.tanker_m3_per_day > 0).any()
    drawn = lines(time_chart(rationed))
    assert set(drawn) == {"tap", "recycled", "shortage"}
    check_steps(drawn["shortage"], periods, "shortage_m3_per_day", [0, int(periods.days.sum())])


@pytest.fixture(scope="module")
def staged():
    # the case's own drought stages (blue, yellow, orange, ...), each with its colour
    return plan(load_case(bundled_case("kaohsiung-2023-drought")))


@pytest.mark.parametrize("run,colours", [("staged", STAGE_COLOURS),
                                          ("drought", {"cut 0.2": OTHER_STAGE})])
def test_each_drought_stage_has_its_band_and_one_legend_entry(run, colours, request):
    r = request.getfixturevalue(run)
    periods, figure = r.periods, time_chart(r)
    start = pd.to_datetime(periods.start)
    bands = [(s.x0, s.x1, s.fillcolor) for s in figure.layout.shapes]
    assert periods.stage.map(lambda s: isinstance(s, str)).all()
    want = [(a, a + pd.Timedelta(days=int(d)), colours[stage])
            for a, d, stage in zip(start, periods.days, periods.stage)]
    assert [(pd.Timestamp(x0), pd.Timestamp(x1), c) for x0, x1, c in bands] == want
    legend = [t.name for t in figure.data if t.mode == "markers"]
    assert legend == [f"stage {s}" for s in dict.fromkeys(periods.stage)]


def test_half_a_cubic_metre_a_day_of_trucks_or_shortage_is_still_drawn(tmp_path):
    r = undated(tmp_path)
    # the same plan with 0.5 m3/day trucked and short in its second period only
    small = r.periods.assign(tanker_m3_per_day=[0.0, 0.5], shortage_m3_per_day=[0.0, 0.5])
    drawn = lines(time_chart(replace(r, periods=small)))
    assert set(drawn) == {"tap", "recycled", "trucked", "shortage"}
    assert drawn["trucked"].y == drawn["shortage"].y == (0.0, 0.5, 0.5)
