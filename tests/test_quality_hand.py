"""Hand-worked quality cases: a forced tap/recycled blend, a direct-reuse chain, a feed limit
(also on a train serving a zone without uses), an operation with no load of one contaminant."""
import json

import pyomo.environ as pyo
import pytest

from model import load_case, plan
from model.formulation import HoldRule, build_model
from model.results.marginal import marginal_sentences, volume
from model.results.quality import BINDING_REL_TOL, _at_limit, binding_feed_limits
from model.solve import solve
from quality_helpers import with_feed_limit, with_limit, write_case

TAP_ABS_TOL_M3, TAP_REL_TOL = HoldRule().abs_m3, HoldRule().rel  # the stage hold rule


def near(x: float):
    """Flows and concentrations: the cost stage may let tap rise by the stated lexicographic
    tolerance (TAP_ABS_TOL_M3 = 1e-6 m3/day on these small cases), which moves flows and
    inlet concentrations by about that much; 10x that bound is allowed, nothing more."""
    return pytest.approx(x, rel=1e-9, abs=10 * TAP_ABS_TOL_M3)

BLEND = {
    "case.toml": 'name = "blend"\nmax_recycles = 3',
    "plants.csv": "plant,zone\nP,1",
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,100,1,",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,1000,0.5,1",
    "contaminants.csv": "contaminant,tap_ppm\nboron,10",
    "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\nP,rinse,boron,40,200",
    "train_quality.csv": "train,contaminant,product_ppm\nT,boron,130",
}


def test_inlet_limit_forces_exact_blend(tmp_path):
    # tap at 10 ppm, recycled at 130 ppm (boron passes RO), limit 40 ppm:
    #   tap * (40 - 10) >= recycled * (130 - 40)  ->  recycled <= tap / 3
    #   tap + recycled = 100  ->  tap = 75, recycled = 25 (blend 3:1), inlet exactly 40 ppm.
    # Without the limit, f = 1 * 0.5, K = 3: tap = 100 * 0.5 / (1 - 0.5**4) = 53.33 < 75,
    # and 25 <= 0.5 * 75 recycled water is available, so the limit alone sets the blend.
    r = plan(load_case(write_case(tmp_path / "blend", BLEND)))
    assert r.summary.tap_m3_per_day == near(75.0)
    assert r.summary.recycled_m3_per_day == near(25.0)
    row = r.quality.iloc[0]
    assert row.inlet_ppm == near(40.0)
    assert bool(row.binding)
    # tap(L) = 100 * (130 - L) / 120, so d tap / dL = -100/120: 0.8333 m3/day per ppm
    assert row.tap_saved_per_ppm == pytest.approx(100 / 120, rel=1e-9)
    # and the report says it in words, to three significant digits
    assert [s for s in marginal_sentences(r.summary) if s.startswith("Raising")] == [
        "Raising the boron inlet limit of P/rinse by 1 ppm (now 40 ppm) saves 0.833 m3/day of "
        "tap."]


def test_no_limit_gives_closed_form(tmp_path):
    case = load_case(write_case(tmp_path / "blend", BLEND))
    r = plan(with_limit(case, ("P", "rinse"), "boron", None))
    assert r.summary.tap_m3_per_day == near(100 * 0.5 / (1 - 0.5 ** 4))


CHAIN = {
    "case.toml": 'name = "chain"\nmax_recycles = 0\ndirect_reuse = "zone"',
    "plants.csv": "plant,zone\nP,1",
    "uses.csv": """plant,use,demand_m3_per_day,return_fraction,max_recycles
                   P,A,100,0.5,
                   P,B,50,0.8,
                   P,C,40,0,""",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones",
    "contaminants.csv": "contaminant,tap_ppm\ntds,0",
    "use_quality.csv": """plant,use,contaminant,max_inlet_ppm,outlet_ppm
                          P,A,tds,0,20
                          P,B,tds,30,60
                          P,C,tds,70,90""",
}


def test_direct_reuse_chain(tmp_path):
    # A takes only tap (limit 0 ppm; every wastewater is dirtier): tap 100, wastewater 50 at 20.
    # B (limit 30) can take only A's wastewater (20 ppm): all 50 of it, no tap.
    # C (limit 70) takes B's wastewater, 0.8 * 50 = 40 at 60 ppm: no tap.
    # Campus tap = 100 (190 without direct reuse).
    r = plan(load_case(write_case(tmp_path / "chain", CHAIN)))
    assert r.summary.tap_m3_per_day == near(100.0)
    flows = r.allocation.set_index(["use", "source"]).m3_per_day
    assert flows["B", "direct:P/A"] == near(50.0)
    assert flows["C", "direct:P/B"] == near(40.0)
    inlet = r.quality.set_index("use").inlet_ppm
    assert inlet["C"] == near(60.0)
    # collectable 50 + 40 + 0 = 90, all reused directly: nothing is discharged
    assert r.summary.discharged_m3_per_day == near(0.0)


def test_listed_links_only(tmp_path):
    files = dict(CHAIN, **{"case.toml": 'name = "chain"\nmax_recycles = 0\n'
                                        'direct_reuse = "listed"',
                           "reuse_links.csv": "from_plant,from_use,to_plant,to_use\nP,A,P,B"})
    # only A -> B: C must take 40 of tap: 100 + 40 = 140
    r = plan(load_case(write_case(tmp_path / "listed", files)))
    assert r.summary.tap_m3_per_day == near(140.0)
    assert set(r.allocation.source) == {"tap", "direct:P/A"}


FEED = {
    "case.toml": 'name = "feed"\nmax_recycles = 1',
    "plants.csv": "plant,zone\nP,1",
    "uses.csv": """plant,use,demand_m3_per_day,return_fraction,max_recycles
                   P,dirty,100,1,
                   P,clean,30,1,0""",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,1000,1,1",
    "contaminants.csv": "contaminant,tap_ppm\ntds,0",
    "use_quality.csv": """plant,use,contaminant,max_inlet_ppm,outlet_ppm
                          P,dirty,tds,,1000
                          P,clean,tds,,100""",
    "train_quality.csv": "train,contaminant,product_ppm,max_feed_ppm\nT,tds,0,400",
}


def test_feed_limit(tmp_path):
    # Without the limit: tap_dirty + recycled = 100, recycled <= feed <= tap_dirty + 30
    #   -> tap_dirty = 35, campus tap 65.
    # Feed at most 400 ppm: x_dirty * (1000 - 400) <= x_clean * (400 - 100), x_clean <= 30
    #   -> x_dirty <= 15, feed <= 45, tap_dirty = 55, campus tap 85.
    case = load_case(write_case(tmp_path / "feed", FEED))
    r = plan(case)
    assert r.summary.tap_m3_per_day == near(85.0)
    assert r.summary.treated_m3_per_day == near(45.0)
    (b,) = [b for b in r.summary.quality.binding_quality_limits if b["kind"] == "train feed"]
    assert b["ppm"] == near(400.0)
    # x_dirty(L) = 30 (L - 100) / (1000 - L); d/dL = 30 * 900 / 600**2 = 0.075 m3/day per ppm
    # dual (exact) x feed of the final stage, which the tap tolerance moves by ~1e-6 of 45
    assert b["tap_saved_per_ppm"] == pytest.approx(0.075, rel=1e-6)
    assert [s for s in marginal_sentences(r.summary) if s.startswith("Raising")] == [
        "Raising the tds feed limit of T by 1 ppm (now 400 ppm) saves 0.075 m3/day of tap."]
    loose = plan(with_feed_limit(case, "T", "tds", 1000.0))
    assert loose.summary.tap_m3_per_day == near(65.0)


def test_a_worthless_binding_feed_limit_saves_zero_and_never_minus_zero(tmp_path):
    # a limit the plan sits at whose dual is 0 (a degenerate vertex can give one) saves
    # 0 m3/day per ppm: written 0.0, not -0.0 (-dual x feed), in summary.json and the report
    f = build_model(load_case(write_case(tmp_path / "feed", FEED)))
    report = solve(f)
    report.duals = pyo.ComponentMap()          # every row's dual is then 0.0
    (b,) = binding_feed_limits(f, report)
    assert b["ppm"] == near(400.0)
    assert json.dumps(b["tap_saved_per_ppm"]) == "0.0"


def test_feed_limit_on_a_train_that_also_serves_a_zone_without_uses(tmp_path):
    # FEED with a plant Q in zone 2 that has no uses, and T serving zones 1 and 2: zone 2
    # returns no wastewater, so its feed to T is an empty sum (0) and the plan is FEED's,
    # worked above: campus tap 85, treated 45.
    files = dict(FEED)
    files["plants.csv"] = "plant,zone\nP,1\nQ,2"
    files["treatment.csv"] = "train,capacity_m3_per_day,recovery,zones\nT,1000,1,1;2"
    r = plan(load_case(write_case(tmp_path / "feed", files)))
    assert r.summary.tap_m3_per_day == near(85.0)
    assert r.summary.treated_m3_per_day == near(45.0)


def test_an_operation_with_no_load_of_one_contaminant_picks_none_of_it_up(tmp_path):
    # A mass-transfer operation on tap (tds 200 ppm, fluoride 0.3 ppm) that picks up 5 kg/day
    # of tds and leaves at 700 ppm; it has no fluoride load (blank) and may leave at 10.3 ppm.
    # With two contaminants the balances are >= (allow_multi_contaminant_loads):
    #   tds:      700 F >= 200 F + 1000 x 5  ->  F >= 10
    #   fluoride: 10.3 F >= 0.3 F + 1000 x 0  ->  any F >= 0
    # so the least flow, all of it tap, is 10 m3/day. (A load of 1 kg/day of fluoride would
    # need 10 F >= 1000: F = 100.)
    r = plan(load_case(write_case(tmp_path / "op", {
        "case.toml": 'name = "op"\nmax_recycles = 0\nallow_multi_contaminant_loads = true',
        "plants.csv": "plant,zone\nP,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,wash,,1,",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones",
        "contaminants.csv": "contaminant,tap_ppm\ntds,200\nfluoride,0.3",
        "use_quality.csv": """plant,use,contaminant,max_inlet_ppm,outlet_ppm,load_kg_per_day
                              P,wash,tds,,700,5
                              P,wash,fluoride,,10.3,""",
    })))
    assert r.summary.tap_m3_per_day == near(10.0)


def test_an_inlet_is_at_its_limit_within_one_millionth_of_it():
    # model/results/quality.py: binding when within BINDING_REL_TOL (1e-6) of the limit,
    # relative above 1 ppm, absolute (1e-6 ppm) below it; the edge itself counts as binding
    assert BINDING_REL_TOL == 1e-6
    assert _at_limit(500 * (1 - 0.9e-6), 500) and not _at_limit(500 * (1 - 1.1e-6), 500)
    assert _at_limit(500 - 1e-6 * 500, 500) and _at_limit(500, 500) and _at_limit(501, 500)
    assert _at_limit(0.5 - 0.9e-6, 0.5) and not _at_limit(0.5 - 1.1e-6, 0.5)


def test_a_binding_limit_over_periods_is_named_with_its_period(tmp_path):
    # the blend case over two periods of one day: the limit binds in each, and each period's
    # sentence names it, with the value the summary gives for that period
    folder = write_case(tmp_path / "blend2", {**BLEND, "periods.csv": "period,days\na,1\nb,1"})
    r = plan(load_case(folder))
    limits = r.summary.quality.binding_quality_limits
    assert sorted(b["period"] for b in limits) == ["a", "b"]
    assert [s for s in marginal_sentences(r.summary) if s.startswith("Raising")] == [
        f"Raising the boron inlet limit of P/rinse in period {b['period']} by 1 ppm (now 40 ppm) "
        f"saves {volume(b['tap_saved_per_ppm'])} m3/day of tap." for b in limits]


def test_a_binding_feed_limit_is_reported_after_a_train_that_treats_nothing(tmp_path):
    # FEED with train A, listed first, serving zone 1 too but out of service (no capacity): A
    # treats nothing, so its feed limit has no concentration and is not binding; T's, worked in
    # test_feed_limit (400 ppm, 0.075 m3/day of tap per ppm), still is, and is reported
    files = dict(FEED)
    files["treatment.csv"] = "train,capacity_m3_per_day,recovery,zones\nA,0,1,1\nT,1000,1,1"
    files["train_quality.csv"] = ("train,contaminant,product_ppm,max_feed_ppm\n"
                                  "A,tds,0,400\nT,tds,0,400")
    r = plan(load_case(write_case(tmp_path / "feed", files)))
    assert r.summary.tap_m3_per_day == near(85.0)
    feeds = [b for b in r.summary.quality.binding_quality_limits if b["kind"] == "train feed"]
    assert [(b["train"], b["limit_ppm"]) for b in feeds] == [("T", 400.0)]
    assert feeds[0]["tap_saved_per_ppm"] == pytest.approx(0.075, rel=1e-6)


def test_binding_feed_limits_over_periods_of_unequal_length_most_valuable_first(tmp_path):
    # FEED over period a (1 day) and b (2 days), P/clean at 40 m3/day in b (demand.csv). As in
    # test_feed_limit, the limit binds while x_clean / 2 < (100 - x_clean) / 2 (x_clean < 50),
    # and x_dirty(L) = x_clean (L - 100) / (1000 - L), so a ppm more is worth
    # x_clean x 900 / 600**2 m3/day of tap: 0.075 in a, 0.1 in b, per day of each period
    # whatever its length. Listed most valuable first: b, then a.
    files = {**FEED, "periods.csv": "period,days\na,1\nb,2",
             "demand.csv": "period,plant,use,demand_m3_per_day,factor\nb,P,clean,40,"}
    r = plan(load_case(write_case(tmp_path / "feed2", files)))
    feeds = [b for b in r.summary.quality.binding_quality_limits if b["kind"] == "train feed"]
    assert [(b["train"], b["period"], b["ppm"]) for b in feeds] == [("T", "b", near(400.0)),
                                                                   ("T", "a", near(400.0))]
    assert [b["tap_saved_per_ppm"] for b in feeds] == pytest.approx([0.1, 0.075], rel=1e-6)


def test_a_binding_inlet_limit_gives_its_concentration(tmp_path):
    # BLEND: the rinse's inlet sits exactly at its 40 ppm limit
    r = plan(load_case(write_case(tmp_path / "blend", BLEND)))
    (b,) = r.summary.quality.binding_quality_limits
    assert (b["kind"], b["plant"], b["use"], b["contaminant"]) == ("use inlet", "P", "rinse",
                                                                  "boron")
    assert b["limit_ppm"] == 40.0 and b["ppm"] == near(40.0)
