"""The HTML report: a self-contained file whose Sankey links are the plan's flows, recomputed
here from the result tables with pandas; every node balances where physics says it must; the
marginal values read as sentences whose numbers a re-solve confirms; the report opens in
headless Chromium without a console error."""
from __future__ import annotations

import math
import re
from html import escape
from pathlib import Path
from dataclasses import replace
from graphlib import CycleError, TopologicalSorter

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from model.bundled import bundled_case
from model.case import load_case
from model.case.options import apply_options
from model.cli import main
from model.results.excel import plan_tables, summary_rows
from model.results.html import headline_figures, plan_report, plan_sections, table_html
from model.results.marginal import NEGLIGIBLE_M3_PER_DAY as NEGLIGIBLE, marginal_sentences, volume
from model.results.sankey import (FLOW_EPS, GENERATION_COLOURS, KIND_COLOURS, plant_labels,
                                  sankey_figure, sankey_links)
from model.results.units import with_unit
from model.studies import plan, with_cut
from tests.browser import chromium, console_errors
from tests.case_folder import valid_tables, write_case
from tests.report_pages import page_tables
from tests.factory import make_case
from period_casefiles import write_case as write_period_case

SOURCES = {"tap water", "stored at the start"}
SINKS = {"consumed", "discharged", "stored at the end"}


@pytest.fixture(scope="module")
def steady():
    return plan(load_case(bundled_case("ntip-2019-phase2")), largest_cut=True)


@pytest.fixture(scope="module")
def drought():
    # 9 periods, a recycled-water tank, tankers and a recovery boost
    return plan(load_case(bundled_case("kaohsiung-2023-drought")))


def basin_and_direct_reuse(tmp_path, plant="P"):
    """One zone, a wastewater basin carrying feed into a period with spare capacity, and direct
    reuse allowed between the two uses: every kind of Sankey link at once."""
    folder = write_period_case(tmp_path, {
        "case.toml": 'name = "basin"\nmax_recycles = 1\ndirect_reuse = "zone"\n',
        "plants.csv": f"plant,zone\n{plant},1\n",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    f"{plant},rinse,100,1.0,\n{plant},tower,40,0.5,\n",
        "periods.csv": "period,days\na,1\nb,1\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,T,20\nb,T,200\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\n"
                     "B,1,wastewater,500,10,0\n"})
    return plan(load_case(folder))


def weighted(df: pd.DataFrame, r, column="m3_per_day") -> pd.Series:
    days = r.periods.set_index("period").days
    return df[column] * df.period.map(days) / days.sum()


def expected_supply_links(r) -> dict[tuple, float]:
    """Each allocation row's link into its plant, from the source's name (tables.py writes
    `tap`, `tanker:<tanker>`, `direct:<plant>/<use>`, `supply:<supply>`, a train or a tank):
    (source node, plant, kind, generation) -> day-weighted m3/day, summed. Names may hold ':'
    and '/' themselves."""
    # `direct:<plant>/<use>` whole, as a plant or use name may hold '/'
    zone = {f"{u.plant}/{u.use}": u.zone for u in r.uses.itertuples()}
    trains, tanks = set(r.trains.train), set() if r.tank_levels is None else set(r.tank_levels.tank)
    node = plant_labels(r)  # each plant's node: its name, unless another node has it

    def key(source: str, name: str, g: int) -> tuple:
        plant = node[name]
        kind, _, rest = source.partition(":")
        if source == "tap":
            return ("tap water", plant, "tap", None)
        if kind == "tanker":
            return (f"tanker {rest}", plant, "tanker", None)
        if kind == "supply":                               # outside water, e.g. reclaimed
            return (source, plant, "outside", g)
        if kind == "direct":
            # drawn from the zone's pool as its own node (module docstring of sankey.py)
            return (f"zone {zone[rest]} direct reuse", plant, "direct reuse", g)
        assert source in trains | tanks, source
        # a train is drawn as two nodes, "<train> intake" and "<train> product"
        return (f"{source} product" if source in trains else f"tank {source}", plant,
                "recycled", g)
    a = r.allocation.assign(w=weighted(r.allocation, r))
    want: dict[tuple, float] = {}
    for s, p, g, w in zip(a.source, a.plant, a.generation, a.w):
        k = key(s, p, int(g))
        want[k] = want.get(k, 0.0) + w
    return want


def check_supply_links(r) -> None:
    links = sankey_links(r)
    into_plants = links[links.kind.isin(["tap", "tanker", "direct reuse", "recycled", "outside"])
                        & links.target.isin(set(plant_labels(r).values()))]
    got: dict[tuple, float] = {}
    for s, p, k, g, v in into_plants[["source", "target", "kind", "generation",
                                      "m3_per_day"]].itertuples(index=False):
        key = (s, p, k, None if pd.isna(g) else int(g))
        got[key] = got.get(key, 0.0) + v
    want = expected_supply_links(r)
    assert sorted(got, key=str) == sorted(want, key=str)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-9), k


def check_links_against_tables(r) -> None:
    links = sankey_links(r)
    s = r.summary
    assert (links.m3_per_day > -1e-6).all(), links[links.m3_per_day <= -1e-6]
    approx = lambda x: pytest.approx(x, rel=1e-9, abs=1e-6)  # noqa: E731
    a = r.allocation.assign(w=weighted(r.allocation, r))
    # supply: tap and recycled water by plant, from the allocation table
    node = plant_labels(r)
    for plant, flow in a[a.source == "tap"].groupby("plant").w.sum().items():
        assert links[(links.source == "tap water") & (links.target == node[plant])
                     ].m3_per_day.sum() == approx(flow)
    from_trains = a[a.source.isin(set(r.trains.train))]
    assert links[links.kind == "recycled"].m3_per_day.sum() >= from_trains.w.sum() - 1e-6
    # uses: demand less shortage is supplied; supply leaves as wastewater or is consumed
    u = r.uses.assign(supplied=weighted(r.uses, r, "supplied_m3_per_day"))
    assert list(r.uses.supplied_m3_per_day) == pytest.approx(
        list(r.uses.demand_m3_per_day - r.uses.shortage_m3_per_day), abs=1e-6)
    assert links[links.target == "consumed"].m3_per_day.sum() == approx(
        (u.supplied * (1 - u.return_fraction)).sum())
    assert links[links.target == "consumed"].m3_per_day.sum() == approx(s.consumed_m3_per_day)
    # treatment: feed from the feeds table; product = recovery x feed unless a boost runs
    assert links[links.kind == "feed"].m3_per_day.sum() == approx(
        weighted(r.feeds, r).sum())
    t = r.trains
    boosted = t.product_m3_per_day > t.recovery * t.treated_m3_per_day + 1e-6
    assert list(t.product_m3_per_day[~boosted]) == pytest.approx(
        list((t.recovery * t.treated_m3_per_day)[~boosted]), rel=1e-9, abs=1e-6)
    # discharge, split as the summary splits it
    b = s.discharge_breakdown_m3_per_day
    for kind, figure in [("untreated", b.untreated_wastewater), ("reject", b.treatment_reject),
                         ("surplus product", b.surplus_product)]:
        assert links[links.kind == kind].m3_per_day.sum() == approx(figure), kind
    assert links[links.target == "discharged"].m3_per_day.sum() == approx(s.discharged_m3_per_day)
    # every node between a source and a sink balances; a node drawn twice (a train, a basin, a
    # pool reused untreated) balances over its two halves: what its right half keeps, its left
    # half gives
    pairs = {f"{t} intake": f"{t} product" for t in r.trains.train}
    pairs |= {f"zone {z} wastewater": f"zone {z} direct reuse" for z in r.uses.zone.unique()}
    if r.tank_levels is not None:
        basins = r.tank_levels[r.tank_levels.holds == "wastewater"].tank.unique()
        pairs |= {f"tank {k} in": f"tank {k} out" for k in basins}
    nodes = set(links.source) | set(links.target)
    into = lambda n: links[links.target == n].m3_per_day.sum()  # noqa: E731
    out = lambda n: links[links.source == n].m3_per_day.sum()  # noqa: E731
    for right, left in pairs.items():
        assert left not in nodes or right in nodes, left  # no left half without its right
    for node in nodes - SOURCES - SINKS - set(pairs.values()):
        if node.startswith("tanker"):
            continue
        left = pairs.get(node)
        given = 0.0 if left is None else out(left) - into(left)
        assert into(node) - out(node) == approx(given), node
    # the campus: water bought and drawn from storage = consumed + discharged + stored
    bought = links[links.source.isin({"tap water", "stored at the start"})
                   | links.source.str.startswith("tanker")].m3_per_day.sum()
    assert bought == approx(links[links.target.isin(SINKS)].m3_per_day.sum())
    assert links[links.source == "tap water"].m3_per_day.sum() == approx(s.tap_m3_per_day)


def test_sankey_links_of_a_steady_plan_are_its_flows(steady):
    check_links_against_tables(steady)


def left_to_right(links: pd.DataFrame) -> list[str]:
    """The nodes in an order where every link runs forward; CycleError if a link runs back."""
    graph = {}
    for source, target in zip(links.source, links.target):
        graph.setdefault(target, set()).add(source)
    return list(TopologicalSorter(graph).static_order())


def test_every_link_runs_left_to_right(steady, drought, tmp_path):
    # trains and pools drawn twice: no loop from a train's product back to its intake
    for r in (steady, drought, basin_and_direct_reuse(tmp_path)):
        links = sankey_links(r)
        order = left_to_right(links)
        for train in r.trains.train:
            assert order.index(f"{train} product") < order.index(f"{train} intake")
            # the intake gives only the reject; the product half takes nothing in
            assert set(links[links.source == f"{train} intake"].kind) == {"reject"}
            assert not (links.target == f"{train} product").any()


def test_the_loop_check_can_fail(steady):
    # drawn once, K14 takes the zone's wastewater and gives the plants their water: a cycle
    links = sankey_links(steady)
    once = links.assign(source=links.source.str.replace(" product", " intake"))
    with pytest.raises(CycleError):
        left_to_right(once)


def test_sankey_links_with_periods_a_tank_trucks_and_a_boost(drought):
    check_links_against_tables(drought)
    links = sankey_links(drought)
    levels = drought.tank_levels
    drawn = (levels.initial_m3.iloc[0] - levels.end_level_m3.iloc[-1]) / drought.periods.days.sum()
    assert links[links.source == "stored at the start"].m3_per_day.sum() == pytest.approx(drawn)


def test_sankey_links_with_a_basin_and_direct_reuse(tmp_path):
    r = basin_and_direct_reuse(tmp_path)
    check_links_against_tables(r)
    kinds = set(sankey_links(r).kind)
    assert {"basin", "feed", "reject", "returned", "consumed", "tap"} <= kinds


def test_sankey_direct_reuse_from_a_plant_whose_name_holds_a_slash(tmp_path):
    # `direct:K7/8/rinse` is use rinse of plant K7/8: its zone is found from the whole name
    r = basin_and_direct_reuse(tmp_path, plant="K7/8")
    assert (r.allocation.source == "direct:K7/8/rinse").any()   # the case reuses directly
    check_supply_links(r)
    check_links_against_tables(r)
    assert "zone 1 direct reuse" in set(sankey_links(r).source)


def test_plants_named_like_a_train_or_a_sink_are_drawn_as_plants(tmp_path):
    # the default case with plant Z1-A renamed "K14" (its train's name) and Z2-A "consumed":
    # labelled by name they would be drawn as K14's intake (tap water flowing into the train)
    # and as the sink. They are "plant K14" and "plant consumed"; every other plant keeps its
    # name; K14's intake takes only the pools' feed; every node still balances
    import shutil
    folder = Path(shutil.copytree(bundled_case("ntip-2019-phase2"), tmp_path / "named"))
    for path in folder.glob("*.csv"):  # every table that names plants
        text = path.read_text(encoding="utf-8").replace("\nZ1-A,", "\nK14,")
        path.write_text(text.replace("\nZ2-A,", "\nconsumed,"), encoding="utf-8")
    r = plan(load_case(folder), largest_cut=False)
    assert {"K14", "consumed"} <= set(r.plants.plant)
    assert plant_labels(r) == {p: {"K14": "plant K14", "consumed": "plant consumed"}.get(p, p)
                               for p in r.plants.plant}
    links = sankey_links(r)
    tap = r.allocation[r.allocation.source == "tap"].groupby("plant").m3_per_day.sum()
    assert links[(links.source == "tap water") & (links.target == "plant K14")
                 ].m3_per_day.sum() == pytest.approx(tap["K14"], rel=1e-9)
    assert set(links[links.target == "K14 intake"].kind) == {"feed"}
    assert links[links.target == "consumed"].source.isin({"plant consumed", "plant K14"}).any()
    assert not (links.source == "consumed").any()
    check_supply_links(r)
    check_links_against_tables(r)


def test_a_plant_is_qualified_exactly_when_another_node_has_its_name():
    # the tables of a campus with zone 1, train K14, tank W, tanker truck:1 (a name with a
    # colon), an outside supply and a direct reuse; a plant named as each other node's label
    # (module docstring of sankey.py) is "plant <name>"; a plant named as a source of the
    # allocation table that is no node's label ("tap", "tanker:truck:1", "direct:P/rinse") or
    # as a node of another campus keeps its name
    from types import SimpleNamespace
    taken = ["tap water", "stored at the start", "stored at the end", "consumed", "discharged",
             "zone 1 wastewater", "zone 1 direct reuse", "K14", "K14 intake", "K14 product",
             "tank W", "tank W in", "tank W out", "tanker truck:1", "supply:city"]
    free = ["Z1-A", "tap", "tanker:truck:1", "direct:P/rinse", "zone 2 wastewater",
            "K15 intake", "tank V", "tanker truck", "supply:town"]
    results = SimpleNamespace(
        plants=pd.DataFrame({"plant": taken + free}),
        uses=pd.DataFrame({"zone": [1, 1]}),
        trains=pd.DataFrame({"train": ["K14"]}),
        tank_levels=pd.DataFrame({"tank": ["W"]}),
        allocation=pd.DataFrame({"source": ["tap", "K14", "W", "tanker:truck:1",
                                            "direct:P/rinse", "supply:city"]}))
    assert plant_labels(results) == {**{p: f"plant {p}" for p in taken},
                                     **{p: p for p in free}}
    # without tanks, a plant named like a tank node keeps its name
    no_tanks = SimpleNamespace(**{**vars(results), "tank_levels": None})
    assert plant_labels(no_tanks)["tank W"] == "tank W"


def test_a_planted_imbalance_is_caught(steady):
    # the check above must be able to fail: drop the reject from the trains table
    broken = replace(steady, trains=steady.trains.assign(
        product_m3_per_day=steady.trains.treated_m3_per_day))
    with pytest.raises(AssertionError):
        check_links_against_tables(broken)


def test_the_report_is_self_contained_with_one_sankey(steady):
    page = plan_report(steady)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and not any("src=" in tag for tag in scripts)
    assert not re.search(r"<(link|img|iframe)[^>]+(href|src)=\"?https?:", page)
    assert page.count('"type":"sankey"') == 1
    assert len(sankey_figure(steady).data) == 1
    for table in ("allocation", "feeds", "trains", "plants", "uses", "periods"):
        rows = len(getattr(steady, table))
        assert f"<summary>{table} ({rows} rows)</summary>" in page


def test_the_recovery_sentence_is_what_a_resolve_saves(steady):
    # "one more point of K14 recovery saves N m3/day of tap": re-solve with recovery + 0.01
    (sentence,) = [s for s in marginal_sentences(steady.summary) if "recovery saves" in s]
    saved = float(re.search(r"saves ([\d,.]+) m3/day", sentence).group(1).replace(",", ""))
    case = load_case(bundled_case("ntip-2019-phase2"))
    k14 = case.trains[0]
    more = plan(replace(case, trains=(replace(k14, recovery=k14.recovery + 0.01),)))
    finite_difference = steady.summary.tap_m3_per_day - more.summary.tap_m3_per_day
    assert saved == pytest.approx(finite_difference, rel=0.01)  # the sentence rounds to 3 digits
    assert "K14 runs at 50% of its capacity: more capacity saves no tap" in " ".join(
        marginal_sentences(steady.summary))


def test_cli_writes_html_and_xlsx_with_out_and_nothing_on_bad_input(tmp_path, capsys):
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    assert main(["solve", "ntip-2019-phase2", "--no-largest-cut", "--html", str(html),
                 "--xlsx", str(xlsx)]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert xlsx.read_bytes()[:2] == b"PK"
    tables = valid_tables()
    tables["uses.csv"][0]["return_fraction"] = "7"
    bad = write_case(tmp_path / "bad", tables)
    assert main(["solve", str(bad), "--html", str(tmp_path / "b.html"),
                 "--xlsx", str(tmp_path / "b.xlsx")]) == 2
    assert not (tmp_path / "b.html").exists() and not (tmp_path / "b.xlsx").exists()


def test_the_report_opens_in_chromium_without_console_errors(drought, tmp_path):
    report = tmp_path / "report.html"
    report.write_text(plan_report(drought), encoding="utf-8")
    driver = chromium(tmp_path / "profile", height=2400)
    try:
        driver.get(report.as_uri())
        plots = driver.execute_script("return document.querySelectorAll('.js-plotly-plot')"
                                      ".length")
        sankeys = driver.execute_script("return document.querySelectorAll('g.sankey').length")
        driver.save_screenshot(str(tmp_path / "report.png"))
        assert console_errors(driver) == []
    finally:
        driver.quit()
    assert (plots, sankeys) == (4, 1)  # Sankey, plants, time chart, tank levels
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_sentences_of_a_capacity_bound_train_in_closed_form():
    # K14 cut to 10,000 m3/day runs full: one more m3/day of feed makes 0.7 m3/day of product
    # (recovery 0.7), one more percentage point of recovery 0.01 x 10,000 = 100 m3/day, and
    # each m3/day of product replaces one of tap
    case = load_case(bundled_case("ntip-2019-phase2"))
    k14 = case.trains[0]
    assert (k14.recovery, k14.name) == (0.7, "K14")
    r = plan(replace(case, trains=(replace(k14, capacity_m3_per_day=10000.0),)))
    recovery, capacity = marginal_sentences(r.summary)[:2]
    saved = re.fullmatch(r"One more percentage point of K14 recovery saves ([\d.,]+) m3/day of "
                         r"tap\.", recovery)
    assert saved and float(saved.group(1).replace(",", "")) == pytest.approx(100, abs=0.05)
    assert capacity == ("One more m3/day of K14 capacity saves 0.7 m3/day of tap (K14 runs at "
                        "100% of its capacity).")


def test_the_largest_cut_sentence(steady):
    # the default case already draws the least tap (its README): no cut is absorbed; the 2023
    # drought case's tank and trucks absorb some
    assert steady.summary.largest_cut.largest_uniform_cut == 0
    assert marginal_sentences(steady.summary)[-1] == (
        "Any cut of tap supply means shortage: the plan already draws the least tap, and "
        "storage, trucks or a recovery boost would have to make up for it.")
    r = plan(load_case(bundled_case("kaohsiung-2023-drought")), largest_cut=True)
    cut = r.summary.largest_cut
    assert 0 < cut.largest_uniform_cut < 1
    assert marginal_sentences(r.summary)[-1] == (
        f"The campus absorbs a uniform cut of up to {cut.largest_uniform_cut:.1%} of its "
        f"{volume(cut.largest_uniform_cut_baseline_m3_per_day)} m3/day tap baseline with no "
        "shortage.")


def test_sentences_of_a_plan_over_periods_say_on_average(drought):
    # nine periods: a marginal value is the day-weighted average over the horizon, and K14
    # runs below capacity (its utilization in the summary) with the returned water limiting it
    (k14,) = drought.summary.trains
    assert k14.capacity_value <= NEGLIGIBLE and k14.recovery_value > NEGLIGIBLE
    sentences = marginal_sentences(drought.summary)
    assert sentences[:2] == [
        f"One more percentage point of K14 recovery saves {volume(k14.recovery_value)} m3/day "
        "of tap on average over the horizon.",
        f"K14 runs at {k14.utilization:.0%} of its capacity: more capacity saves no tap; the "
        "wastewater returned and its recovery limit it."]


@pytest.mark.parametrize("m3_per_day, text", [
    (171.4, "171"), (100, "100"), (1234567.8, "1,234,568"), (-250.4, "-250"),  # >= 100: whole
    (99.96, "100.0"), (12.5, "12.5"), (1, "1.0"),                                # 1..100: 0.1
    (0.302, "0.302"), (0.9994, "0.999"), (1e-6, "1e-06"),                        # < 1: 3 digits
    (9.9e-7, "0"), (-5e-7, "0"), (0.0, "0")])                                    # round-off
def test_a_volume_has_the_digits_a_reader_needs(m3_per_day, text):
    # model/results/marginal.volume: whole m3/day from 100 up, one decimal from 1, three
    # significant digits below, and 0 for anything below NEGLIGIBLE (1e-6 m3/day)
    assert NEGLIGIBLE == 1e-6
    assert volume(m3_per_day) == text


def test_a_train_neither_full_nor_short_of_water_is_limited_by_something_else():
    # P/rinse (300 m3/day, all returned, takes no recycled water) feeds T, whose product
    # (0.5 x 300 = 150 m3/day at most) can go only to P/tower (10 m3/day): the tower takes 10,
    # T treats 20 of its 1,000 m3/day, and neither capacity nor recovery saves any tap
    case = make_case([("P", "rinse", "1", 300, 1.0, 0), ("P", "tower", "1", 10, 0.0, None)],
                     [("T", 1000, 0.5, ("1",), None)], max_recycles=1)
    r = plan(case)
    assert r.summary.tap_m3_per_day == pytest.approx(300, abs=1e-6)
    (t,) = r.summary.trains
    assert t.utilization == pytest.approx(0.02, abs=1e-9)
    assert marginal_sentences(r.summary) == [
        "T runs at 2% of its capacity: more capacity saves no tap; something else limits it."]


@pytest.mark.parametrize("capacity_m3_per_day, tower_k, tap, sentences", [
    # a train out of service (no capacity) whose product no use could take: nothing to say
    (0.0, 0, 2.4, []),
    # the same train, if the tower could take recycled water: its first m3/day of capacity
    # would save 0.5 m3/day (recovery 0.5); no utilization to quote without capacity
    (0.0, None, 2.4, ["One more m3/day of T capacity saves 0.5 m3/day of tap "
                      "(T runs at its capacity)."]),
    # a train of 1 m3/day is still a train: the tower takes 0.4 of product from 0.8 of feed
    # (utilization 0.8), limited neither by capacity nor by recovery (the tower is full)
    (1.0, None, 2.0, ["T runs at 80% of its capacity: more capacity saves no tap; "
                      "something else limits it."]),
])
def test_a_sentence_for_every_train_with_capacity_however_small(capacity_m3_per_day, tower_k,
                                                                tap, sentences):
    # P/rinse returns all of its 2 m3/day to T; P/tower (0.4 m3/day, returns nothing) is the
    # only use that may take T's product
    case = make_case([("P", "rinse", "1", 2, 1.0, 0), ("P", "tower", "1", 0.4, 0.0, tower_k)],
                     [("T", capacity_m3_per_day, 0.5, ("1",), None)], max_recycles=1)
    r = plan(case)
    assert r.summary.tap_m3_per_day == pytest.approx(tap, abs=1e-6)
    assert marginal_sentences(r.summary) == sentences


@pytest.fixture
def two_periods(tmp_path):
    """Two undated periods of 1 and 2 days."""
    folder = write_period_case(tmp_path, {
        "case.toml": 'name = "two"\nmax_recycles = 1\n',
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,100,1.0,\n",
        "periods.csv": "period,days\na,1\nb,2\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,T,20\nb,T,50\n"})
    return plan(load_case(folder))


@pytest.mark.parametrize("run,periods,days,extent", [
    ("steady", 1, 1, "1 period over 1 day</p>"),             # one steady day
    ("two_periods", 2, 3, "2 periods over 3 days</p>"),      # the first plural
    ("drought", 9, 184, "9 periods over 184 days</p>")])     # periods.csv: 9 rows, 184 days
def test_the_page_opens_with_its_extent_and_the_headline_figures(run, periods, days, extent,
                                                                 request):
    r = request.getfixturevalue(run)
    text = plan_report(r)
    assert (len(r.periods), r.summary.days) == (periods, days)
    # the subtitle: the status, how many periods, and the horizon in days (plurals from two on)
    assert f"<p>status: {r.summary.status}; {extent}" in text
    # then the headline: one figure block per headline figure, in order, and nothing between
    figures = headline_figures(r)
    assert [label for label, _ in figures][:4] == ["tap", "tap share", "recycled", "shortage"]
    blocks = "".join(f'<div class="figure"><div class="value">{escape(v)}</div>'
                     f'<div class="label">{escape(k)}</div></div>' for k, v in figures)
    assert f'<div class="headline">{blocks}</div>' in text
    s = r.summary
    assert figures[:2] == [("tap", f"{volume(s.tap_m3_per_day)} m3/day"),
                           ("tap share", f"{s.tap_m3_per_day / s.demand_m3_per_day:.3f}")]


def test_a_plan_with_no_demand_shows_its_tap_share_as_a_dash(steady):
    # tap / demand has no value at zero demand (summary.tap_share is None): the page says "-"
    r = replace(steady, summary=replace(steady.summary, tap_share=None))
    assert headline_figures(r)[1] == ("tap share", "-")
    assert '<div class="value">-</div><div class="label">tap share</div>' in plan_report(r)


def titles(section) -> list[str]:
    return [f.layout.title.text for f in section.figures]


def test_the_plan_page_s_sections_in_reading_order(steady, drought, tmp_path):
    basin = basin_and_direct_reuse(tmp_path)              # two periods of one day
    for r, over_time in [(steady, []), (drought, ["Over time"]), (basin, ["Over time"])]:
        sections = plan_sections(r)
        assert [s.title for s in sections] == [
            "What more capacity, recovery or a looser limit is worth", "Where the water goes",
            "Each plant", *over_time, "Tables (the --out files)"]
        # the marginal values as a list of sentences, in the order marginal_sentences gives
        assert sections[0].html == "<ul>" + "".join(
            f"<li>{escape(s)}</li>" for s in marginal_sentences(r.summary)) + "</ul>"
        assert sections[1].html.startswith("<p>Flows in m3/day (averaged over the horizon)")
        assert titles(sections[2]) == ["Water to each plant (m3/day)"]
    # over time: the periods, then each tank's level (the drought case has one tank)
    over = plan_sections(drought)[3]
    assert [t.split(" (")[0] for t in titles(over)] == ["Campus water by period",
                                                        "Tank levels at the end of each period"]


def test_the_tables_section_holds_the_summary_and_every_out_table(steady, drought):
    for r in (steady, drought):
        html = plan_sections(r)[-1].html
        tables = page_tables(html)
        # one folding block per table, the summary open, nothing between the blocks
        assert html.startswith("<details open><summary>summary</summary>")
        assert html.count("</details><details>") == len(tables) - 1 and html.endswith("</details>")
        name, rows = tables[0]
        # the summary: one row per scalar, its unit beside it, blank when it has none
        assert name == "summary" and rows[0] == ["key", "value", "unit"]
        want = summary_rows(r.summary.to_dict())
        assert [(k, u) for k, _, u in (row for row in rows[1:])] == [
            (k, "" if u is None else u) for k, _, u in want]
        assert rows[1][:2] == ["case", r.summary.case]
        # then every table the --out folder gets, named with its row count, units in the header
        out = plan_tables(r)
        assert [n for n, _ in tables[1:]] == [f"{n} ({len(df)} rows)" for n, df in out.items()]
        for (_, rows), df in zip(tables[1:], out.values()):
            assert rows[0] == [with_unit(c) for c in df.columns] and len(rows) == len(df) + 1


def test_the_headline_of_a_rationed_plan_with_trucks_gives_daily_averages(tmp_path):
    r = plan(with_cut(load_case(bundled_case("kaohsiung-2023-drought")), cut=0.2))
    p, s = r.periods, r.summary
    days = p.days.sum()
    short, trucked = (p.shortage_m3_per_day * p.days).sum(), (p.tanker_m3_per_day * p.days).sum()
    assert short > 0 and trucked > 0 and days == 184
    # volumes over the horizon shown per day: the periods' day-weighted average
    assert s.cost_per_day is not None                     # the case prices its water
    # and the whole 20 t loads over the horizon: every day of a (dated, whole-day) period the
    # fewest trucks that carry its water
    loads = sum(days_ * math.ceil(m3 / 20 - 1e-6) for days_, m3 in zip(p.days, p.tanker_m3_per_day))
    assert loads > trucked / 20
    assert headline_figures(r)[3:] == [("shortage", f"{volume(short / days)} m3/day"),
                                       ("trucked", f"{volume(trucked / days)} m3/day"),
                                       ("truckloads", f"{loads:,.0f} of 20 t"),
                                       ("cost", f"{s.cost_per_day:,.0f} per day")]
    # trucked water at no more than the negligible rate is not a headline figure: exactly
    # NEGLIGIBLE m3 in a one-day plan is left out
    steady_day = replace(r, summary=replace(s, days=1.0, tanker_m3=NEGLIGIBLE))
    assert "trucked" not in dict(headline_figures(steady_day))
    # and 184 times less per day over the drought's 184 days
    assert "trucked" not in dict(headline_figures(replace(r, summary=replace(
        s, tanker_m3=NEGLIGIBLE))))


def trucked_and_reused(tmp_path):
    """Two plants in one zone, direct reuse between them, a tanker, and a 50% cut: a plant, a use
    and a tanker whose names hold ':' and '/', the separators of the allocation's source names."""
    folder = write_period_case(tmp_path, {
        "case.toml": 'name = "trucks"\nmax_recycles = 1\ndirect_reuse = "zone"\n',
        "plants.csv": "plant,zone\nP:1,1\nQ,1\n",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P:1,rinse: line 2/3,100,1.0,\nQ,tower,40,0.5,\n",
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\nTWC:north,30,10\n"})
    return plan(with_cut(load_case(folder), cut=0.5))


def test_every_allocation_row_is_a_link_into_its_plant(tmp_path):
    trucked = trucked_and_reused(tmp_path)
    assert {"tanker:TWC:north", "direct:P:1/rinse: line 2/3"} <= set(trucked.allocation.source)
    basin = basin_and_direct_reuse(tmp_path / "basin")
    reclaimed = plan(apply_options(load_case(bundled_case("ntip-2028-phase3")),
                                   ["Nanzih-reclaimed"]))
    assert "supply:Nanzih-reclaimed" in set(reclaimed.allocation.source)
    for r in (basin, trucked, reclaimed):
        check_supply_links(r)
    kinds = set(sankey_links(trucked).kind)
    assert {"tap", "tanker", "direct reuse", "recycled"} <= kinds


def test_every_allocation_row_of_the_bundled_plans_is_a_link(steady, drought):
    for r in (steady, drought):           # a recycled-water tank among the drought's sources
        check_supply_links(r)
    # what K14 puts into the drought case's product tank: the tank charges, day-weighted
    c = drought.tank_charges.assign(w=weighted(drought.tank_charges, drought))
    want = {(f"{t} product", f"tank {k}", int(g)): w
            for (t, k, g), w in c.groupby(["train", "tank", "generation"]).w.sum().items()}
    links = sankey_links(drought).query("kind == 'to tank'")
    assert want and sum(want.values()) > 0
    assert {(s, t, int(g)): v for s, t, g, v in links[["source", "target", "generation",
                                                       "m3_per_day"]].itertuples(index=False)
            } == pytest.approx(want, rel=1e-12)


def test_product_a_train_makes_beyond_what_it_delivers_is_drawn_as_discharged(steady):
    # no bundled plan discharges product (the least-cost plan treats no more than it can use):
    # 100 m3/day more product than K14 delivered, in a hand-made trains table
    trains = steady.trains.assign(product_m3_per_day=steady.trains.product_m3_per_day + 100.0)
    links = sankey_links(replace(steady, trains=trains))
    surplus = links[links.kind == "surplus product"]
    assert surplus[["source", "target"]].values.tolist() == [["K14 product", "discharged"]]
    assert surplus.m3_per_day.tolist() == pytest.approx([100.0], abs=1e-9)


def test_a_tank_in_a_one_period_plan_is_drawn_from_its_initial_contents(tmp_path):
    folder = write_period_case(tmp_path, {
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,50,30,0\n"})
    r = plan(load_case(folder))
    assert len(r.periods) == 1
    check_supply_links(r)
    stored = sankey_links(r).query("kind == 'storage'")
    # the tank ends at its end level: what it lost since its initial 30 m3 is a source
    level = r.tank_levels.end_level_m3.iloc[0]
    assert stored[["source", "target"]].values.tolist() == [["stored at the start", "tank R"]]
    assert stored.m3_per_day.tolist() == pytest.approx([30.0 - level], abs=1e-9)


def test_a_basin_s_links_and_what_it_keeps_at_the_end(tmp_path):
    r = basin_and_direct_reuse(tmp_path)                  # two periods of one day, basin B
    levels = r.tank_levels
    # a hand-made end: B holds 1 m3 more than its initial 10 m3 after the two days
    kept = levels.assign(end_level_m3=[levels.end_level_m3.iloc[0], 11.0])
    links = sankey_links(replace(r, tank_levels=kept))
    charge = (levels.charge_m3_per_day * levels.days).sum() / 2
    discharge = (levels.discharge_m3_per_day * levels.days).sum() / 2
    assert charge > 0
    got = links[links.kind.isin(["basin", "storage"])]
    assert [tuple(x) for x in got[["source", "target", "kind"]].values] == [
        ("zone 1 wastewater", "tank B in", "basin"), ("tank B out", "zone 1 wastewater", "basin"),
        ("tank B in", "stored at the end", "storage")]
    # day-weighted charge and discharge; 1 m3 kept over 2 days is 0.5 m3/day
    assert got.m3_per_day.tolist() == pytest.approx([charge, discharge, 0.5], rel=1e-12)
    # as planned, B ends below its initial 10 m3: what it gave up leaves from its "out" side
    lost = (10.0 - levels.end_level_m3.iloc[-1]) / 2
    stored = sankey_links(r).query("kind == 'storage'")
    assert lost > 0
    assert [tuple(x) for x in stored[["source", "target"]].values] == [("stored at the start",
                                                                         "tank B out")]
    assert stored.m3_per_day.tolist() == pytest.approx([lost], rel=1e-12)


def test_recycled_links_are_coloured_by_generation_and_the_others_by_kind(drought, tmp_path):
    for r in (drought, basin_and_direct_reuse(tmp_path)):
        links = sankey_links(r)
        links = links[links.m3_per_day > FLOW_EPS]
        colours = list(sankey_figure(r).data[0].link.color)
        assert len(colours) == len(links)
        for kind, g, colour in zip(links.kind, links.generation, colours):
            if kind == "recycled":          # generation 1 the first colour, 2 the second, ...
                assert colour == GENERATION_COLOURS[int(g) - 1], (kind, g)
            else:                           # direct reuse too, though it has a generation
                assert colour == KIND_COLOURS[kind], (kind, g)
    assert {1, 2} <= set(sankey_links(drought).query("kind == 'recycled'").generation)


def test_hovering_names_each_link_s_kind_generation_and_flow(drought):
    figure = sankey_figure(drought)
    sankey = figure.data[0]
    links = sankey_links(drought)
    links = links[links.m3_per_day > FLOW_EPS]
    want = [k if pd.isna(g) else f"generation {int(g)} {k}"
            for k, g in zip(links.kind, links.generation)]
    assert list(sankey.link.customdata) == want
    assert "generation 1 recycled" in want and "tap" in want
    assert sankey.link.hovertemplate == ("%{source.label} → %{target.label}<br>%{customdata}<br>"
                                         "%{value:,.1f} m3/day<extra></extra>")
    assert sankey.node.hovertemplate == "%{label}<br>%{value:,.1f} m3/day<extra></extra>"
    assert figure.layout.title.text == "Campus water (m3/day)"


def test_plotly_js_is_in_the_page_once_and_each_chart_is_a_fragment_of_it(drought):
    # each chart is a <div> of the one page: a chart written as a page of its own would nest
    # <html> documents, and one carrying its own plotly.js would add 4 MB per chart
    page = plan_report(drought)
    assert page.count("<html") == 1 and page.count("<body") == 1
    assert page.count(get_plotlyjs()[:500]) == 1
    assert page.count('<div class="plot">') >= 4


def test_the_charts_resize_with_the_window_and_carry_no_vendor_logo(steady):
    # the config each chart is drawn with (plotly's JSON, as written into the page)
    page = plan_report(steady)
    configs = re.findall(r"\{\"displaylogo\": (\w+), \"responsive\": (\w+)\}", page)
    assert configs and set(configs) == {("false", "true")}
    assert len(configs) == page.count('<div class="plot">')


def test_a_table_shows_figures_to_three_decimals_in_thousands_and_a_missing_one_blank():
    # table_html's rule, the same for every table of every page: no index column, a figure to
    # three decimals with thousands separated, a missing figure or name an empty cell
    table = pd.DataFrame({"flow_m3_per_day": [1234.5678, float("nan")], "use": ["rinse", None]})
    ((_, rows),) = page_tables(table_html(table))
    assert rows == [["flow_m3_per_day", "use"], ["1,234.568", "rinse"], ["", ""]]


def test_the_page_ends_with_its_closing_tags(steady):
    assert plan_report(steady).endswith("</body></html>\n")
