"""Bad quality input: one test per rule, each problem naming file, line, column and value; a
limit below every source a use can draw from, named before any solve
(model.solve.diagnose.check_cleanest_sources); and limits that every source meets, which
neither bind nor save tap."""
import pandas as pd
import pytest

from model import CaseError, InfeasibleError, load_case, plan
from model.cli import main
from quality_helpers import write_case
from tests.case_workbook import check_workbook_counterpart

BASE = {
    "case.toml": 'name = "q"\nmax_recycles = 1',
    "plants.csv": "plant,zone\nP,1",
    "uses.csv": """plant,use,demand_m3_per_day,return_fraction,max_recycles
                   P,rinse,100,0.9,
                   P,tower,50,0.3,""",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,100,0.7,1",
    "contaminants.csv": "contaminant,tap_ppm\ntds,200",
    "use_quality.csv": """plant,use,contaminant,max_inlet_ppm,outlet_ppm
                          P,rinse,tds,300,600
                          P,tower,tds,,900""",
    "train_quality.csv": "train,contaminant,product_ppm\nT,tds,20",
}


def problems(tmp_path, **changes):
    files = {**BASE, **{k.replace("__", "."): v for k, v in changes.items()}}
    files = {k: v for k, v in files.items() if v is not None}
    folder = write_case(tmp_path / "case", files)
    with pytest.raises(CaseError) as exc:
        load_case(folder)
    check_workbook_counterpart(folder, exc.value.problems)  # the same case as a workbook
    return exc.value.problems


def one(probs, file, text):
    hits = [p for p in probs if p.file == file and text in p.rule]
    assert hits, f"no problem in {file} containing {text!r}: {[str(p) for p in probs]}"
    return hits[0]


def test_base_case_is_valid(tmp_path):
    case = load_case(write_case(tmp_path / "case", BASE))
    assert case.quality.contaminants == ("tds",)


def test_contaminant_not_declared(tmp_path):
    p = one(problems(tmp_path, use_quality__csv="""plant,use,contaminant,max_inlet_ppm,outlet_ppm
        P,rinse,tds,300,600
        P,tower,tds,,900
        P,tower,fluoride,,5"""), "use_quality.csv", "not declared")
    assert (p.row, p.column, p.value) == (4, "contaminant", "fluoride")
    p = one(problems(tmp_path / "b", train_quality__csv="train,contaminant,product_ppm\n"
                     "T,tds,20\nT,silica,1"), "train_quality.csv", "not declared")
    assert (p.row, p.value) == (3, "silica")


@pytest.mark.parametrize("file,text,column", [
    ("contaminants.csv", "contaminant,tap_ppm\ntds,-1", "tap_ppm"),
    ("use_quality.csv", "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                        "P,rinse,tds,300,-600\nP,tower,tds,,900", "outlet_ppm"),
    ("use_quality.csv", "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                        "P,rinse,tds,-3,600\nP,tower,tds,,900", "max_inlet_ppm"),
    ("train_quality.csv", "train,contaminant,product_ppm\nT,tds,-20", "product_ppm"),
])
def test_negative_concentration(tmp_path, file, text, column):
    probs = problems(tmp_path, **{file.replace(".", "__"): text})
    p = one(probs, file, "must be in [0, 1e+06]")  # ppm: 1e6 is the pure contaminant
    assert p.column == column and p.row == 2
    # a rejected row is reported once: its names do not come back as undeclared or missing
    assert len(probs) == 1, [str(q) for q in probs]


def test_every_use_and_train_needs_every_contaminant(tmp_path):
    probs = problems(tmp_path,
                     contaminants__csv="contaminant,tap_ppm\ntds,200\nfluoride,0.3",
                     train_quality__csv="train,contaminant,product_ppm\nT,tds,20")
    missing = [p for p in probs if "missing 'fluoride'" in p.rule]
    assert {p.value for p in missing} == {"P/rinse", "P/tower"}
    assert one(probs, "train_quality.csv", "missing fluoride").value == "T"


def test_use_and_train_must_exist(tmp_path):
    probs = problems(tmp_path, use_quality__csv="""plant,use,contaminant,max_inlet_ppm,outlet_ppm
                     P,rinse,tds,300,600
                     P,tower,tds,,900
                     P,boiler,tds,,900""",
                     train_quality__csv="train,contaminant,product_ppm\nT,tds,20\nX,tds,1")
    assert one(probs, "use_quality.csv", "not in uses.csv").value == "P/boiler"
    assert one(probs, "train_quality.csv", "not in treatment.csv").value == "X"


def test_duplicate_rows(tmp_path):
    probs = problems(tmp_path, contaminants__csv="contaminant,tap_ppm\ntds,200\ntds,100")
    assert one(probs, "contaminants.csv", "duplicate").row == 3


def test_contaminants_file_required_with_quality_files(tmp_path):
    one(problems(tmp_path, contaminants__csv=None), "contaminants.csv", "missing")


def test_load_and_demand_together(tmp_path):
    probs = problems(tmp_path, use_quality__csv="""plant,use,contaminant,max_inlet_ppm,outlet_ppm,load_kg_per_day
                     P,rinse,tds,300,600,5
                     P,tower,tds,,900,""")
    p = one(probs, "use_quality.csv", "also has a demand")
    assert (p.row, p.column, p.value) == (2, "load_kg_per_day", "P/rinse")


def test_blank_demand_without_load(tmp_path):
    probs = problems(tmp_path, uses__csv="""plant,use,demand_m3_per_day,return_fraction,max_recycles
                     P,rinse,,0.9,
                     P,tower,50,0.3,""")
    p = one(probs, "uses.csv", "demand is required")
    assert (p.row, p.column) == (2, "demand_m3_per_day")


def test_operation_outlet_must_exceed_inlet_limit(tmp_path):
    probs = problems(
        tmp_path,
        uses__csv="plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                  "P,rinse,,1,\nP,tower,50,0.3,",
        use_quality__csv="plant,use,contaminant,max_inlet_ppm,outlet_ppm,load_kg_per_day\n"
                         "P,rinse,tds,300,300,5\nP,tower,tds,,900,")
    assert one(probs, "use_quality.csv", "outlet_ppm above").value == 300


def test_several_contaminant_loads_need_explicit_consent(tmp_path):
    ops = {"uses__csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                        "P,rinse,,1,\nP,tower,50,0.3,",
           "contaminants__csv": "contaminant,tap_ppm\ntds,200\nfluoride,0.3",
           "use_quality__csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm,load_kg_per_day\n"
                               "P,rinse,tds,300,600,5\nP,rinse,fluoride,1,10,0.1\n"
                               "P,tower,tds,,900,\nP,tower,fluoride,,20,",
           "train_quality__csv": "train,contaminant,product_ppm\nT,tds,20\nT,fluoride,0.1"}
    one(problems(tmp_path, **ops), "use_quality.csv", "exact for one contaminant only")
    ops["case__toml"] = 'name = "q"\nmax_recycles = 1\nallow_multi_contaminant_loads = true'
    files = {**BASE, **{k.replace("__", "."): v for k, v in ops.items()}}
    case = load_case(write_case(tmp_path / "allowed", files))
    r = plan(case)  # conservative approximation: each outlet at most its outlet_ppm
    q = r.quality.set_index(["use", "contaminant"])
    assert q.loc[("rinse", "tds"), "inlet_ppm"] <= 300 * (1 + 1e-9)


def test_reuse_links_rules(tmp_path):
    listed = 'name = "q"\nmax_recycles = 1\ndirect_reuse = "listed"'
    one(problems(tmp_path / "a", case__toml=listed), "reuse_links.csv", "file is missing")
    probs = problems(tmp_path / "b", case__toml=listed,
                     reuse_links__csv="from_plant,from_use,to_plant,to_use\n"
                                      "P,rinse,P,rinse\nP,rinse,P,boiler\nP,rinse,P,tower\n"
                                      "P,rinse,P,tower")
    assert one(probs, "reuse_links.csv", "itself").row == 2
    assert one(probs, "reuse_links.csv", "not in uses.csv").value == "P/boiler"
    assert one(probs, "reuse_links.csv", "duplicate").row == 5
    one(problems(tmp_path / "c", reuse_links__csv="from_plant,from_use,to_plant,to_use\n"
                 "P,rinse,P,tower"), "reuse_links.csv", "only read with")
    one(problems(tmp_path / "d", case__toml='name = "q"\nmax_recycles = 1\n'
                 'direct_reuse = "anywhere"'), "case.toml", "")


def test_all_problems_reported_at_once(tmp_path):
    probs = problems(tmp_path,
                     contaminants__csv="contaminant,tap_ppm\ntds,-5",
                     train_quality__csv="train,contaminant,product_ppm\nX,tds,20",
                     uses__csv="plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                               "P,rinse,,0.9,\nP,tower,50,0.3,")
    files = {p.file for p in probs}
    assert {"contaminants.csv", "train_quality.csv", "uses.csv"} <= files


def test_limit_below_cleanest_source_is_diagnosed(tmp_path, capsys):
    # tap 200 ppm, K14 product 20 ppm: a limit of 10 ppm is below every source of 'rinse'
    files = dict(BASE, **{"use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                                             "P,rinse,tds,10,600\nP,tower,tds,,900"})
    folder = write_case(tmp_path / "case", files)
    with pytest.raises(InfeasibleError) as exc:
        plan(load_case(folder))
    message = str(exc.value)
    for text in ("P/rinse", "tds", "10 ppm", "train T product at 20 ppm"):
        assert text in message
    assert main(["solve", str(folder)]) == 3
    assert "P/rinse" in capsys.readouterr().err


@pytest.mark.parametrize("demand", ["0.5", "100"])
def test_a_use_that_takes_only_tap_is_told_tap_is_its_cleanest_source(tmp_path, demand):
    # 'tower' takes no recycled water (max_recycles 0): its only source is tap at 200 ppm, above
    # its 150 ppm limit, however small its demand (half a cubic metre a day must still be met)
    files = dict(BASE, **{
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    f"P,rinse,100,0.9,\nP,tower,{demand},0.3,0",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,rinse,tds,300,600\nP,tower,tds,150,900"})
    with pytest.raises(InfeasibleError) as exc:
        plan(load_case(write_case(tmp_path / "case", files)))
    assert str(exc.value) == ("no plan meets every inlet limit:\n  - use P/tower limits tds to "
                              "150 ppm, but the cleanest water it can receive is tap at 200 ppm")


@pytest.mark.parametrize("load", ["5", "0.5"])
def test_an_operation_with_no_demand_of_its_own_is_told_its_cleanest_source(tmp_path, load):
    # 'wash' has no demand: it is a mass-transfer operation, whose flow is whatever picks up its
    # 5 (or 0.5) kg/day of tds. It still takes water, so an inlet limit of 100 ppm under tap at
    # 200 ppm (its only source: no train, no link) is named, as for a use with a demand
    files = {"case.toml": 'name = "op"\nmax_recycles = 0',
             "plants.csv": "plant,zone\nP,1",
             "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,wash,,1,",
             "treatment.csv": "train,capacity_m3_per_day,recovery,zones",
             "contaminants.csv": "contaminant,tap_ppm\ntds,200",
             "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm,load_kg_per_day\n"
                                f"P,wash,tds,100,700,{load}"}
    with pytest.raises(InfeasibleError) as exc:
        plan(load_case(write_case(tmp_path / "op", files)))
    assert str(exc.value) == ("no plan meets every inlet limit:\n  - use P/wash limits tds to "
                              "100 ppm, but the cleanest water it can receive is tap at 200 ppm")


def test_a_limit_on_a_later_contaminant_is_checked_after_one_without_a_limit(tmp_path):
    # two contaminants, in contaminants.csv's order: 'tower' (tap only, max_recycles 0) has no
    # tds limit, and a chloride limit of 30 ppm under tap's 50 ppm; the tds row without a limit
    # must not end the search before chloride
    files = dict(BASE, **{
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,0.9,\nP,tower,50,0.3,0",
        "contaminants.csv": "contaminant,tap_ppm\ntds,200\ncl,50",
        "train_quality.csv": "train,contaminant,product_ppm\nT,tds,20\nT,cl,5",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,rinse,tds,300,600\nP,rinse,cl,,80\nP,tower,tds,,900\n"
                           "P,tower,cl,30,90"})
    with pytest.raises(InfeasibleError) as exc:
        plan(load_case(write_case(tmp_path / "case", files)))
    assert str(exc.value) == ("no plan meets every inlet limit:\n  - use P/tower limits cl to "
                              "30 ppm, but the cleanest water it can receive is tap at 50 ppm")


def test_every_use_below_its_cleanest_source_is_named_one_per_line(tmp_path):
    # 'rinse' limits tds to 10 ppm (cleanest: T's product at 20 ppm) and 'tower', which takes
    # tap only, to 150 ppm (tap at 200 ppm): both are named, in uses.csv's order
    files = dict(BASE, **{
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,0.9,\nP,tower,50,0.3,0",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,rinse,tds,10,600\nP,tower,tds,150,900"})
    with pytest.raises(InfeasibleError) as exc:
        plan(load_case(write_case(tmp_path / "case", files)))
    assert str(exc.value) == (
        "no plan meets every inlet limit:\n"
        "  - use P/rinse limits tds to 10 ppm, but the cleanest water it can receive is train T "
        "product at 20 ppm\n"
        "  - use P/tower limits tds to 150 ppm, but the cleanest water it can receive is tap at "
        "200 ppm")


def test_an_operation_with_no_load_takes_no_water_and_its_limit_is_no_problem(tmp_path):
    # 'idle' is a mass-transfer operation that picks up 0 kg/day: its flow is 0, so its 1 ppm
    # limit, below every source (tap 200 ppm, T's product 20 ppm), is no problem and the plan
    # is solved; 'rinse' and 'tower' are as in BASE
    files = dict(BASE, **{
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,0.9,\nP,tower,50,0.3,\nP,idle,,1,",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm,load_kg_per_day\n"
                           "P,rinse,tds,300,600,\nP,tower,tds,,900,\nP,idle,tds,1,600,0"})
    res = plan(load_case(write_case(tmp_path / "case", files)))
    assert res.summary.status == "optimal"
    assert res.summary.demand_m3_per_day == pytest.approx(150.0, rel=1e-12)


def test_the_cleanest_source_may_be_a_linked_use_s_wastewater_and_an_idle_use_is_passed_over(
        tmp_path):
    # 'tower' takes no recycled water but is linked to the wastewater of 'rinse' (direct_reuse
    # = "listed"): its sources are tap at 200 ppm and rinse's outlet at 180 ppm, both above its
    # 150 ppm limit, and the cleanest is named. 'idle', first in uses.csv, has no demand and no
    # load, so it takes no water and its limit (below every source too) is no problem
    files = dict(BASE, **{
        "case.toml": 'name = "q"\nmax_recycles = 1\ndirect_reuse = "listed"',
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,idle,0,0.5,\nP,rinse,100,0.9,\nP,tower,50,0.3,0",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,idle,tds,1,600\nP,rinse,tds,,180\nP,tower,tds,150,900",
        "reuse_links.csv": "from_plant,from_use,to_plant,to_use\nP,rinse,P,tower"})
    with pytest.raises(InfeasibleError) as exc:
        plan(load_case(write_case(tmp_path / "case", files)))
    assert str(exc.value) == ("no plan meets every inlet limit:\n  - use P/tower limits tds to "
                              "150 ppm, but the cleanest water it can receive is wastewater of "
                              "P/rinse at 180 ppm")


def test_a_limit_every_source_meets_saves_no_tap_and_does_not_bind(tmp_path):
    # BASE: rinse limits tds to 300 ppm, above every source it has (tap 200, T's product 20,
    # so no row is needed for it), and tower has no tds limit: in the quality table neither
    # binds, and a ppm more on either saves no tap (0, as no row holds it)
    res = plan(load_case(write_case(tmp_path / "case", BASE)))
    q = res.quality.set_index(["use", "contaminant"])
    assert list(q.index) == [("rinse", "tds"), ("tower", "tds")]
    assert q.max_inlet_ppm["rinse", "tds"] == 300 and pd.isna(q.max_inlet_ppm["tower", "tds"])
    assert not q.binding.any()
    assert (q.tap_saved_per_ppm == 0.0).all()


def test_a_use_whose_inflow_is_at_the_solver_s_tolerance_has_no_inlet_concentration(tmp_path):
    # a use of 1e-7 m3/day (FLOW_EPS, the solver's tolerance on a flow) takes exactly that:
    # too little water to state a concentration of, so its inlet_ppm is blank; the 100 m3/day
    # rinse beside it has one (a mix of tap at 200 ppm and T's product at 20)
    r = plan(load_case(write_case(tmp_path / "tiny", {
        "case.toml": 'name = "tiny"\nmax_recycles = 1',
        "plants.csv": "plant,zone\nP,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,0.9,\nP,drop,1e-7,0.9,",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,1000,0.5,1",
        "contaminants.csv": "contaminant,tap_ppm\ntds,200",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,rinse,tds,1000,400\nP,drop,tds,1000,400",
        "train_quality.csv": "train,contaminant,product_ppm\nT,tds,20"})))
    q = r.quality.set_index("use")
    assert q.inflow_m3_per_day["drop"] == 1e-7
    assert pd.isna(q.inlet_ppm["drop"])
    assert 20 < q.inlet_ppm["rinse"] < 200
