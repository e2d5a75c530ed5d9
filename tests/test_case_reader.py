"""The reader toolkit (model.case.tables) on a case that has every file: unique keys, references
and `;`-lists are enforced for every row class as it declares them, and one root cause gives one
message (a rejected row's names and a file with a bad header cause no follow-on problems)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from model.case import load_case, rows
from model.case.tables import CaseFolder, parse_list
from model.errors import CaseError, Problem
from tests.case_workbook import check_workbook_counterpart

# Every file a case may have, each small and valid. The first data row of each file that defines
# names (plants, uses, treatment, contaminants, stages, periods) is referred to by other files,
# so rejecting it would cause follow-on problems if the toolkit let it.
EVERY_FILE = {
    "case.toml": 'name = "every-file"\nmax_recycles = 2\ndirect_reuse = "listed"\n'
                 '[tap]\nprice_per_m3 = 10\n',
    "plants.csv": "plant,zone\nP1,Z1\nP2,Z2\n",
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                "P1,rinse,100,0.9,\nP1,scrubber,50,0.8,1\nP2,cooling,30,0.3,\n",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT1,1000,0.7,Z1;Z2,1\n",
    "contaminants.csv": "contaminant,tap_ppm\ntds,200\n",
    "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                       "P1,rinse,tds,300,600\nP1,scrubber,tds,,900\nP2,cooling,tds,,900\n",
    "train_quality.csv": "train,contaminant,product_ppm\nT1,tds,20\nO1,tds,30\n",
    "reuse_links.csv": "from_plant,from_use,to_plant,to_use\nP1,rinse,P1,scrubber\n",
    "stages.csv": "stage,cut\norange,0.1\nyellow,0.07\n",
    "periods.csv": "period,days,stage\ndry,30,orange\nwet,30,\n",
    "demand.csv": "period,plant,use,demand_m3_per_day,factor\ndry,P1,rinse,80,\n",
    "trains_by_period.csv": "period,train,capacity_m3_per_day\ndry,T1,500\n",
    "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,Z1,recycled,100,0,0\n",
    "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3,zones\ntruck,50,100,Z1;Z2\n",
    "boosts.csv": "train,recovery,extra_cost_per_m3,periods\nT1,0.8,5,dry\n",
    "curtailment.csv": "plant,use,priority\nP1,rinse,2\n",
    "rationing.toml": "fair_share = true\n",
    "options.csv": "option,kind,zones,capacity_m3_per_day,cost_per_m3,capex,lifetime_years\n"
                   "O1,supply,Z1,100,5,1000,10\n",
}
ROW_CLASSES = [cls for cls in vars(rows).values()
               if isinstance(cls, type) and issubclass(cls, rows.Row) and cls is not rows.Row]
CSV_FILES = [cls.FILE for cls in ROW_CLASSES]

# The rule each namespace's unknown names break, as the user reads it (not taken from the code).
UNKNOWN = {"plant": "plant is not in plants.csv", "zone": "zone has no plant in plants.csv",
           "use": "use is not in uses.csv", "train": "train is not in treatment.csv",
           "contaminant": "contaminant is not declared in contaminants.csv",
           "period": "period is not in periods.csv", "stage": "stage is not in the stage table",
           "producer": "train is not in treatment.csv"}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(CaseError) as info:
        load_case(folder)
    check_workbook_counterpart(folder, info.value.problems)  # the same case as a workbook
    return info.value.problems


def table_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def text_of(records: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def test_every_file_case_is_valid_and_covers_every_row_class(tmp_path):
    # the baseline the tests below corrupt: it must load, or they prove nothing
    case = load_case(write(tmp_path, EVERY_FILE))
    assert sorted(CSV_FILES) == sorted(f for f in EVERY_FILE if f.endswith(".csv"))
    assert case.quality.links == ((("P1", "rinse"), ("P1", "scrubber")),)
    assert [t.name for t in case.tanks] == ["R"] and case.rationing.fair_share
    assert case.emergency.boosts[0].periods == ("dry",)


# --- unique keys ---------------------------------------------------------------------------------

@pytest.mark.parametrize("row", ROW_CLASSES, ids=lambda r: r.FILE)
def test_a_repeated_key_is_reported_once_naming_the_first_line(tmp_path, row):
    records = table_of(EVERY_FILE[row.FILE])
    records.append(dict(records[0]))
    repeat_line = len(records) + 1  # header is line 1
    problems = problems_of(write(tmp_path, {**EVERY_FILE, row.FILE: text_of(records)}))
    assert len(problems) == 1, "\n".join(map(str, problems))
    (p,) = problems
    key = "/".join(records[0][c] for c in row.KEY if records[0][c])
    assert (p.file, p.row, p.column, p.value) == (row.FILE, repeat_line, row.KEY_NAME, key)
    assert p.rule == f"duplicate {row.KEY_NAME}; first given on line 2"


def test_the_declared_keys_are_the_documented_ones():
    assert {row.FILE: row.KEY for row in ROW_CLASSES} == {
        "plants.csv": ("plant",), "uses.csv": ("plant", "use"), "treatment.csv": ("train",),
        "contaminants.csv": ("contaminant",),
        "use_quality.csv": ("plant", "use", "contaminant"),
        "train_quality.csv": ("train", "contaminant"),
        "reuse_links.csv": ("from_plant", "from_use", "to_plant", "to_use"),
        "periods.csv": ("period",), "demand.csv": ("period", "plant", "use"),
        "trains_by_period.csv": ("period", "train"), "tanks.csv": ("tank",),
        "tankers.csv": ("tanker",), "boosts.csv": ("train",), "stages.csv": ("stage",),
        "curtailment.csv": ("plant", "use"), "options.csv": ("option",),
    }


def test_a_key_given_three_times_keeps_the_first_row(tmp_path):
    folder = write(tmp_path, {"plants.csv": "plant,zone\nP1,Z1\nP2,Z2\nP1,Z3\nP1,Z4\n"})
    files = CaseFolder(folder)
    table = files.table(rows.PlantRow)
    assert [(line, r.zone) for line, r in table.rows] == [(2, "Z1"), (3, "Z2")]
    assert [(p.row, p.rule) for p in files.problems] == [
        (4, "duplicate plant; first given on line 2"),
        (5, "duplicate plant; first given on line 2")]


# --- references ----------------------------------------------------------------------------------

REFERENCES = [(row, columns, namespace) for row in ROW_CLASSES
              for columns, namespace in row.REFERENCES.items()]


def test_the_declared_references_are_every_cross_file_rule():
    # written out here so that a declaration dropped from model.case.rows fails a test
    assert {(row.FILE, columns, namespace) for row, columns, namespace in REFERENCES} == {
        ("uses.csv", "plant", "plant"), ("treatment.csv", "zones", "zone"),
        ("use_quality.csv", ("plant", "use"), "use"),
        ("use_quality.csv", "contaminant", "contaminant"),
        ("train_quality.csv", "train", "producer"),
        ("train_quality.csv", "contaminant", "contaminant"),
        ("reuse_links.csv", ("from_plant", "from_use"), "use"),
        ("reuse_links.csv", ("to_plant", "to_use"), "use"),
        ("periods.csv", "stage", "stage"), ("demand.csv", "period", "period"),
        ("demand.csv", "plant", "plant"), ("demand.csv", ("plant", "use"), "use"),
        ("trains_by_period.csv", "period", "period"), ("trains_by_period.csv", "train", "train"),
        ("tanks.csv", "zone", "zone"), ("tankers.csv", "zones", "zone"),
        ("boosts.csv", "train", "train"), ("boosts.csv", "periods", "period"),
        ("curtailment.csv", ("plant", "use"), "use"), ("options.csv", "zones", "zone"),
    }


@pytest.mark.parametrize("row, columns, namespace", REFERENCES,
                         ids=[f"{r.FILE}:{c}" for r, c, _ in REFERENCES])
def test_a_declared_reference_to_an_unknown_name_is_reported(tmp_path, row, columns, namespace):
    columns = (columns,) if isinstance(columns, str) else columns
    records = table_of(EVERY_FILE[row.FILE])
    column = columns[-1]  # for (plant, use): a known plant, an unknown use
    if column in row.LISTS:
        records[0][column] += ";nowhere"  # a list: one unknown item among known ones
        value = "nowhere"
    else:
        records[0][column] = "nowhere"
        value = "/".join(records[0][c] for c in columns)
    problems = problems_of(write(tmp_path, {**EVERY_FILE, row.FILE: text_of(records)}))
    hits = [p for p in problems if UNKNOWN[namespace] in p.rule]
    assert [(p.file, p.row, p.column, p.value) for p in hits] == [(row.FILE, 2, column, value)], \
        "\n".join(map(str, problems))


def test_an_unknown_plant_is_not_reported_again_as_an_unknown_use(tmp_path):
    files = {**EVERY_FILE, "demand.csv": "period,plant,use,demand_m3_per_day,factor\n"
                                         "dry,P9,rinse,80,\n"}
    (p,) = problems_of(write(tmp_path, files))
    assert (p.file, p.row, p.column, p.value, p.rule) == (
        "demand.csv", 2, "plant", "P9", "plant is not in plants.csv")


# --- one root cause, one message -------------------------------------------------------------------

@pytest.mark.parametrize("file", CSV_FILES)
def test_a_rejected_row_gives_its_own_problem_and_no_follow_on(tmp_path, file):
    # the first data row gets a stray cell, so it is rejected whole; other files refer to the
    # names it gives (P1, P1/rinse, T1, tds, orange, dry), and must not report them as unknown
    lines = EVERY_FILE[file].splitlines()
    lines[1] += ",stray"
    problems = problems_of(write(tmp_path, {**EVERY_FILE, file: "\n".join(lines) + "\n"}))
    assert [(p.file, p.row) for p in problems] == [(file, 2)], "\n".join(map(str, problems))
    assert "cells; the header has" in problems[0].rule


@pytest.mark.parametrize("file", CSV_FILES)
def test_a_file_with_a_bad_header_gives_only_its_own_problems(tmp_path, file):
    # e.g. uses.csv unreadable: use_quality.csv, curtailment.csv, demand.csv and reuse_links.csv
    # name its uses, but no "use is not in uses.csv" line may bury the real error
    lines = EVERY_FILE[file].splitlines()
    lines[0] = lines[0].replace(lines[0].split(",")[0], "bogus", 1)
    problems = problems_of(write(tmp_path, {**EVERY_FILE, file: "\n".join(lines) + "\n"}))
    assert {p.file for p in problems} == {file}, "\n".join(map(str, problems))
    assert all(p.row == 1 for p in problems)


def test_uses_header_error_with_a_quality_layer_is_one_root_cause(tmp_path):
    files = {**EVERY_FILE, "uses.csv": EVERY_FILE["uses.csv"].replace("demand_m3_per_day",
                                                                       "demand", 1)}
    problems = problems_of(write(tmp_path, files))
    assert [(p.file, p.column) for p in problems] == [("uses.csv", "demand"),
                                                      ("uses.csv", "demand_m3_per_day")]


def test_a_rejected_period_row_gives_no_period_follow_on(tmp_path):
    # dry lasts -30 days: rejected. demand.csv, trains_by_period.csv and boosts.csv name dry.
    files = {**EVERY_FILE, "periods.csv": "period,days,stage\ndry,-30,orange\nwet,30,\n"}
    (p,) = problems_of(write(tmp_path, files))
    assert (p.file, p.row, p.column, p.value) == ("periods.csv", 2, "days", "-30")


def test_dated_periods_are_not_compared_across_a_rejected_row(tmp_path):
    # mid is rejected (days "x"); comparing wet with dry instead would blame wet for a gap that
    # is mid's row. Adjacent rows are still compared (test_periods_storage).
    files = {**EVERY_FILE, "periods.csv": "period,start,days,stage\ndry,2021-01-01,31,orange\n"
                                          "mid,2021-02-01,x,\nwet,2021-03-01,31,\n"}
    (p,) = problems_of(write(tmp_path, files))
    assert (p.file, p.row, p.column, p.value) == ("periods.csv", 3, "days", "x")


# --- ;-lists -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, items", [
    ("Z1;Z2", ("Z1", "Z2")), (" Z2 ; Z1 ", ("Z2", "Z1")), ("Z1;;Z2;", ("Z1", "Z2")),
    ("Z2;Z1;Z2;Z1", ("Z2", "Z1")), (" ; ", ()), ("", ()),
])
def test_a_list_gives_each_item_once_in_order(text, items):
    assert parse_list(text) == items


def test_every_list_column_drops_blanks_and_repeats(tmp_path):
    files = {**EVERY_FILE,
             "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\n"
                              "T1,1000,0.7,Z2; ;Z1;Z2,1\n",
             "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3,zones\ntruck,50,100,Z1;Z1;\n",
             "boosts.csv": "train,recovery,extra_cost_per_m3,periods\nT1,0.8,5,dry;;wet;dry\n",
             "options.csv": "option,kind,zones,capacity_m3_per_day,cost_per_m3,capex,"
                            "lifetime_years,excludes\nO1,supply,Z2;;Z2; Z1,100,5,1000,10,\n"
                            "O2,supply,Z1,100,5,1000,10,O1; ;O1\n"}
    files["train_quality.csv"] += "O2,tds,30\n"
    case = load_case(write(tmp_path, files))
    assert {cls.FILE for cls in ROW_CLASSES if cls.LISTS} == {"treatment.csv", "tankers.csv",
                                                              "boosts.csv", "options.csv"}
    assert case.options[0].zones == ("Z2", "Z1") and case.options[1].excludes == ("O1",)
    assert case.trains[0].zones == ("Z2", "Z1")
    assert case.emergency.tankers[0].zones == ("Z1",)
    assert case.emergency.boosts[0].periods == ("dry", "wet")


def test_a_blank_optional_list_means_every_zone(tmp_path):
    files = {**EVERY_FILE,
             "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3,zones\ntruck,50,100, ; \n"}
    assert load_case(write(tmp_path, files)).emergency.tankers[0].zones == ("Z1", "Z2")
