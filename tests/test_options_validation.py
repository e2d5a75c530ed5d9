"""Every bad option is reported with its file, line, column and rule, all at once, and the
command exits 2."""
from __future__ import annotations

import pytest

from model.case import load_case
from model.cli import main
from model.errors import CaseError
from period_casefiles import write_case

BASE = {
    "case.toml": 'name = "opts"\nmax_recycles = 2\n[tap]\nprice_per_m3 = 12\n',
    "plants.csv": "plant,zone\nP1,1\nP2,2\nP3,3\n",
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                "P1,rinse,100,0.9,\nP2,rinse,100,0.9,\nP3,rinse,100,0.9,\n",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.7,1;2,5\n",
}
HEADER = ("option,kind,train,zones,capacity_m3_per_day,recovery,cost_per_m3,volume_m3,capex,"
          "lifetime_years,om_per_year,excludes,requires\n")
GOOD = HEADER + (
    "more,capacity,T,,500,,,,1000,10,,,\n"              # line 2
    "up,recovery,T,,,0.8,,,1000,10,,,\n"                 # line 3
    "new,train,N,3,300,0.7,4,,1000,10,,,\n"              # line 4
    "link,link,T,3,,,,,1000,10,,new,\n"                  # line 5
    "tank,tank,T,1,,,,500,1000,10,,,\n"                  # line 6
    "city,supply,,1;2,200,,20,,1000,10,,,\n"             # line 7
    "new-up,recovery,N,,,0.8,,,1000,10,,,new\n")         # line 8


def problems(tmp_path, options: str, **files):
    folder = write_case(tmp_path / "case", {**BASE, **files, "options.csv": options})
    with pytest.raises(CaseError) as exc:
        load_case(folder)
    return exc.value.problems


def one(probs, line, column, text):
    hits = [p for p in probs if p.row == line and p.column == column and text in p.rule]
    assert hits, f"no problem on line {line}, column {column} with {text!r}: " \
        f"{[str(p) for p in probs]}"
    return hits[0]


def test_a_good_catalogue_is_read(tmp_path):
    case = load_case(write_case(tmp_path / "case", {**BASE, "options.csv": GOOD}))
    assert [o.kind for o in case.options] == ["capacity", "recovery", "train", "link", "tank",
                                              "supply", "recovery"]
    assert case.options[3].excludes == ("new",) and case.options[6].requires == ("new",)


@pytest.mark.parametrize("row, column, rule, value", [
    ("x,capacity,Q,,500,,,,1000,10,,,", "train", "train is not in treatment.csv", "Q"),
    ("x,link,T,9,,,,,1000,10,,,", "zones", "zone has no plant", "9"),
    ("x,recovery,T,,,0.7,,,1000,10,,,", "recovery", "must be higher than train T's recovery",
     0.7),
    ("x,link,T,2,,,,,1000,10,,,", "zones", "train T already serves this zone", "2"),
    ("x,train,T,3,300,0.7,4,,1000,10,,,", "train", "already in treatment.csv", "T"),
    ("x,capacity,T,,500,,,50,1000,10,,,", "volume_m3", "does not use volume_m3", 50.0),
    ("x,capacity,T,,,,,,1000,10,,,", "capacity_m3_per_day", "needs capacity_m3_per_day", None),
    ("x,tank,T,3,,,,500,1000,10,,,", "zones", "train T does not serve this zone", "3"),
    ("x,tank,T,1;2,,,,500,1000,10,,,", "zones", "a tank sits in one zone", "1;2"),
    ("x,capacity,T,,500,,,,1000,10,,,x", "requires", "cannot require itself", "x"),
    ("x,capacity,T,,500,,,,1000,10,,x,", "excludes", "cannot exclude itself", "x"),
    ("x,capacity,T,,500,,,,1000,10,,,ghost", "requires", "option is not in options.csv",
     "ghost"),
    ("x,capacity,T,,500,,,,1000,10,,ghost,", "excludes", "option is not in options.csv",
     "ghost"),
    ("x,capacity,N,,500,,,,1000,10,,,", "train", "added by option new: list it in requires",
     "N"),
    ("x,pump,T,,500,,,,1000,10,,,", "kind", "", "pump"),
    ("x,capacity,T,,500,,,,1000,0,,,", "lifetime_years", "must be in (0, 200]", "0"),
])
def test_each_bad_option_is_reported(tmp_path, row, column, rule, value):
    probs = problems(tmp_path, GOOD + row + "\n")
    hit = one(probs, 9, column, rule)
    assert hit.file == "options.csv"
    if value is not None:
        assert hit.value == value
    assert len(probs) == 1, [str(p) for p in probs]


def test_options_requiring_each_other_in_a_cycle(tmp_path):
    rows = GOOD + "a,capacity,T,,500,,,,1000,10,,,b\nb,capacity,T,,500,,,,1000,10,,,c\n" \
                  "c,capacity,T,,500,,,,1000,10,,,a\n"
    probs = problems(tmp_path, rows)
    hit = one(probs, 9, "requires", "require each other in a cycle: a -> b -> c -> a")
    assert len(probs) == 1, [str(p) for p in probs]
    assert hit.file == "options.csv"


def test_options_need_prices(tmp_path):
    probs = problems(tmp_path, GOOD, **{
        "case.toml": 'name = "opts"\nmax_recycles = 2\n',
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,1000,0.7,1;2\n"})
    train = one(probs, 2, "cost_per_m3", "needs cost_per_m3 for every train")
    assert train.file == "treatment.csv"
    tap = [p for p in probs if p.file == "case.toml" and "tap price" in p.rule]
    assert tap and tap[0].column == "tap.price_per_m3"


def test_bad_economics_is_reported_on_its_key(tmp_path):
    probs = problems(tmp_path, GOOD, **{
        "case.toml": 'name = "opts"\nmax_recycles = 2\n[tap]\nprice_per_m3 = 12\n'
                     '[economics]\ndiscount_rate = 1.5\n'})
    (hit,) = probs
    assert (hit.file, hit.row, hit.column, hit.value) == ("case.toml", 6,
                                                         "economics.discount_rate", 1.5)
    assert "must be in [0, 1]" in hit.rule


def test_the_command_lists_every_problem_and_exits_2(tmp_path, capsys):
    rows = GOOD + "x,capacity,Q,,500,,,,1000,10,,,\ny,recovery,T,,,0.6,,50,1000,10,,,\n"
    folder = write_case(tmp_path / "case", {**BASE, "options.csv": rows})
    before = (folder / "options.csv").read_text()
    assert main(["options", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "3 problems" in err and "Traceback" not in err
    assert "options.csv, line 9, column 'train'" in err
    assert "options.csv, line 10, column 'recovery'" in err
    assert "options.csv, line 10, column 'volume_m3'" in err
    assert (folder / "options.csv").read_text() == before  # input never written
