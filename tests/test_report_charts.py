"""The report's time chart draws the periods table: one step line per campus volume, each step as
long as its period, trucked water and shortage only when there are any, and a band per drought
stage. Expected values are read from `results.periods`, the table `--out` writes as periods.csv.
The tank chart draws each tank's level, and the plant bars each plant's day-weighted supply by
kind and generation, from hand-made tables."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from model.bundled import bundled_case
from model.case import load_case
from model.results.charts import (OTHER_STAGE, STAGE_COLOURS, plant_bars, plant_supply, tank_chart,
                                  time_chart)
from model.results.sankey import GENERATION_COLOURS
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
    legend = [t for t in figure.data if t.mode == "markers"]
    assert [t.name for t in legend] == [f"stage {s}" for s in dict.fromkeys(periods.stage)]
    # each legend entry is a square in its stage's colour, with no point of its own on the chart
    assert [(t.marker.symbol, t.marker.color) for t in legend] == [
        ("square", colours[s]) for s in dict.fromkeys(periods.stage)]
    assert all(list(t.x) == [None] and list(t.y) == [None] for t in legend)
    # the volumes are daily rates: the axis and the title say m3/day
    assert figure.layout.yaxis.title.text == "m3/day"
    assert figure.layout.title.text.startswith("Campus water by period (m3/day)")


def test_half_a_cubic_metre_a_day_of_trucks_or_shortage_is_still_drawn(tmp_path):
    r = undated(tmp_path)
    # the same plan with 0.5 m3/day trucked and short in its second period only
    small = r.periods.assign(tanker_m3_per_day=[0.0, 0.5], shortage_m3_per_day=[0.0, 0.5])
    drawn = lines(time_chart(replace(r, periods=small)))
    assert set(drawn) == {"tap", "recycled", "trucked", "shortage"}
    assert drawn["trucked"].y == drawn["shortage"].y == (0.0, 0.5, 0.5)


def tank_levels(rows: list[tuple]) -> pd.DataFrame:
    """A hand-made tank table (model.results.drought.tank_level_table's columns that the chart
    reads): initial_m3 is the tank's contents at the start of the horizon, on every row."""
    return pd.DataFrame(rows, columns=["tank", "period", "capacity_m3", "initial_m3",
                                       "end_level_m3"])


def test_each_tank_is_drawn_from_its_initial_level_through_each_period_end(tmp_path):
    r = undated(tmp_path)                         # periods a (1 day) and b (2 days)
    levels = tank_levels([("west", "a", 50.0, 40.0, 30.0), ("west", "b", 50.0, 40.0, 35.0),
                          ("east", "a", 20.0, 10.0, 12.0), ("east", "b", 20.0, 10.0, 5.0)])
    figure = tank_chart(replace(r, tank_levels=levels))
    # one line per tank, in the table's order (not sorted: west before east), starting at day 0
    # with the initial contents, then the level at the end of day 1 and of day 3
    assert [(t.name, t.mode, list(t.x), list(t.y)) for t in figure.data] == [
        ("west", "lines+markers", [0, 1, 3], [40.0, 30.0, 35.0]),
        ("east", "lines+markers", [0, 1, 3], [10.0, 12.0, 5.0])]
    assert [t.hovertemplate for t in figure.data] == ["%{y:,.0f} m3<extra>west</extra>",
                                                      "%{y:,.0f} m3<extra>east</extra>"]
    # each tank's capacity as a dotted horizontal line, labelled with the tank's name
    assert [(s.y0, s.y1, s.line.dash) for s in figure.layout.shapes] == [(50.0, 50.0, "dot"),
                                                                         (20.0, 20.0, "dot")]
    assert [a.text for a in figure.layout.annotations] == ["west capacity", "east capacity"]
    # the levels are volumes: the axis and the title say m3
    assert figure.layout.yaxis.title.text == "m3"
    assert figure.layout.title.text.startswith("Tank levels") and "(m3)" in figure.layout.title.text


def test_a_tank_in_a_one_period_plan_is_a_line_from_its_initial_to_its_end_level(tmp_path):
    r = undated(tmp_path)
    one = r.periods.iloc[:1]                      # period a only: one day
    figure = tank_chart(replace(r, periods=one,
                                tank_levels=tank_levels([("basin", "a", 9.0, 2.0, 7.5)])))
    assert [(list(t.x), list(t.y)) for t in figure.data] == [([0, 1], [2.0, 7.5])]


def test_a_plan_without_tanks_has_no_tank_chart(tmp_path):
    r = undated(tmp_path)
    assert r.tank_levels is None and tank_chart(r) is None


def supply_plan(tmp_path, shortage: bool = True):
    """The undated plan (periods a of 1 day and b of 2 days) with a hand-made allocation: plant
    P2 draws tap in both periods and recycled water of two generations, P1 trucked and direct
    reuse water, P3 nothing; P1 and P3 go short when `shortage`."""
    r = undated(tmp_path)
    allocation = pd.DataFrame(
        [("P2", "tap", 0, "a", 40.0), ("P2", "tap", 0, "b", 22.0), ("P2", "T", 1, "a", 9.0),
         ("P2", "T", 2, "b", 6.0), ("P1", "tanker:truck", 0, "b", 12.0),
         ("P1", "direct:P2/rinse", 1, "a", 3.0)],
        columns=["plant", "source", "generation", "period", "m3_per_day"])
    plants = pd.DataFrame({"plant": ["P1", "P2", "P3"]})
    if shortage:
        plants["shortage_m3_per_day"] = [0.5, 0.0, 2.0]
    return replace(r, allocation=allocation, plants=plants)


def test_each_plant_s_supply_is_its_day_weighted_flow_by_kind_and_generation(tmp_path):
    table = plant_supply(supply_plan(tmp_path))
    # a flow in period a counts 1/3 of the horizon, in period b 2/3:
    #   P2 tap 40 x 1/3 + 22 x 2/3 = 28; recycled generation 1: 9 / 3 = 3, generation 2: 6 x 2/3 = 4
    #   P1 trucked 12 x 2/3 = 8, direct reuse generation 1: 3 / 3 = 1; P3 nothing
    # columns: tap, trucked, the others sorted, and the plants table's shortage last
    assert list(table.columns) == ["tap", "tanker", "direct generation 1",
                                   "recycled generation 1", "recycled generation 2", "shortage"]
    assert list(table.index) == ["P1", "P2", "P3"]            # the plants table's order
    assert table.to_numpy().ravel().tolist() == pytest.approx([0, 8, 1, 0, 0, 0.5,
                                                               28, 0, 0, 3, 4, 0,
                                                               0, 0, 0, 0, 0, 2], rel=1e-12)


def test_a_plan_whose_plants_table_has_no_shortage_has_no_shortage_bars(tmp_path):
    table = plant_supply(supply_plan(tmp_path, shortage=False))
    assert "shortage" not in table.columns and table.loc["P2", "tap"] == pytest.approx(28)


def test_the_plant_bars_stack_each_kind_of_supply_beside_the_shortage(tmp_path):
    r = supply_plan(tmp_path)
    table, figure = plant_supply(r), plant_bars(r)
    assert [t.name for t in figure.data] == list(table.columns)
    for trace in figure.data:
        assert list(trace.x) == ["P1", "P2", "P3"]
        assert list(trace.y) == list(table[trace.name])
        assert trace.offsetgroup == ("shortage" if trace.name == "shortage" else "supply")
        assert trace.hovertemplate == f"%{{x}}: %{{y:,.1f}} m3/day<extra>{trace.name}</extra>"
    # the Sankey's colours: tap blue, trucked red, shortage dark red, generation g as its links
    colours = {t.name: t.marker.color for t in figure.data}
    link = [c.replace("0.45)", "0.9)") for c in GENERATION_COLOURS]
    assert colours == {"tap": "rgb(31,119,180)", "tanker": "rgb(214,39,40)",
                       "shortage": "rgb(120,0,0)", "direct generation 1": link[0],
                       "recycled generation 1": link[0], "recycled generation 2": link[1]}
    assert len(set(link[:2])) == 2
    assert figure.layout.barmode == "relative"         # supply kinds stack on one another
    assert figure.layout.yaxis.title.text == "m3/day"
    assert figure.layout.title.text == "Water to each plant (m3/day)"
