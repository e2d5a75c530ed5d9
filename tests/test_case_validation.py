"""Bad input, one rule per test: each builds a valid case folder, breaks one thing, and checks
that `load_case` reports it as a Problem naming the file, line (header = line 1), column, value
and the rule broken, with no follow-on noise. Every bad case is also typed into a workbook,
which must give the same problems with sheet, row and column (tests/case_workbook.py)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from model.case import load_case
from model.errors import CaseError, Problem
from tests.case_folder import FILES, valid_tables, write_case
from tests.case_workbook import check_workbook_counterpart

USE_COLUMNS = ["plant", "use", "demand_m3_per_day", "return_fraction", "max_recycles"]
TRAIN_COLUMNS = ["train", "capacity_m3_per_day", "recovery", "zones"]


@pytest.fixture
def tables() -> dict:
    return valid_tables()


@pytest.fixture
def case_dir(tmp_path):
    """write(tables) -> folder, a fresh folder per call."""
    count = iter(range(1000))
    return lambda tables: write_case(tmp_path / f"case{next(count)}", tables)


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(CaseError) as info:
        load_case(folder)
    check_workbook_counterpart(folder, info.value.problems)
    return info.value.problems


def only_problem(folder: Path) -> Problem:
    """The one problem the case has; one corruption must give exactly one problem."""
    problems = problems_of(folder)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def check(problem: Problem, file, row, column, value, *rule_words):
    assert (problem.file, problem.row, problem.column, problem.value) == (file, row, column, value)
    for word in rule_words:
        assert word in problem.rule, f"{word!r} not in rule {problem.rule!r}"


@pytest.mark.parametrize("name", ["tap", "tanker", "direct", "supply", "supply:T1",
                                  "direct:P1/rinse", "tanker: K"])
def test_a_train_named_as_another_source_is_refused(tables, case_dir, name):
    # The allocation table names a use's water by source: a train by its own name, the others
    # `tap`, `tanker:<name>`, `direct:<plant>/<use>` and `supply:<name>`. A train so named had
    # its deliveries counted as tap (a campus of 21,500 m3/day reported all of it as tap).
    tables["treatment.csv"][0]["train"] = name
    check(only_problem(case_dir(tables)), "treatment.csv", 2, "train", name,
          "may not be tap, tanker, direct or supply, alone or before a colon")


@pytest.mark.parametrize("name", ["tapwater", "supplyline", "K14:tap", "Tap"])
def test_a_train_named_like_but_not_as_another_source_loads(tables, case_dir, name):
    # only the words themselves, alone or before the first colon, name other sources
    tables["treatment.csv"][0]["train"] = name
    assert load_case(case_dir(tables)).trains[0].name == name


def test_valid_case_loads(tables, case_dir):
    # The baseline every test corrupts: it must load cleanly, or the other tests prove nothing.
    case = load_case(case_dir(tables))
    assert [u.key for u in case.uses] == [("P1", "rinse"), ("P1", "scrubber"), ("P2", "cooling")]
    assert [u.zone for u in case.uses] == ["Z1", "Z1", "Z2"]
    assert case.trains[0].zones == ("Z1", "Z2")
    assert case.max_recycles == 2


# --- files and columns ---------------------------------------------------------------------

@pytest.mark.parametrize("file", FILES)
def test_missing_file(tables, case_dir, file):
    tables[file] = None
    check(only_problem(case_dir(tables)), file, None, None, None, "missing")


@pytest.mark.parametrize("file, column", [
    ("plants.csv", "zone"), ("uses.csv", "demand_m3_per_day"), ("uses.csv", "return_fraction"),
    ("treatment.csv", "recovery"), ("treatment.csv", "zones"),
])
def test_missing_column(tables, case_dir, file, column):
    for row in tables[file]:
        del row[column]
    p = only_problem(case_dir(tables))
    check(p, file, 1, column, None, "missing column")


@pytest.mark.parametrize("file, expected", [
    ("plants.csv", ["plant", "zone"]), ("uses.csv", USE_COLUMNS),
    ("treatment.csv", TRAIN_COLUMNS + ["cost_per_m3"]),
])
def test_unknown_column_names_the_expected_columns(tables, case_dir, file, expected):
    for row in tables[file]:
        row["colour"] = "blue"
    p = only_problem(case_dir(tables))
    check(p, file, 1, "colour", None, "unknown column", *expected, "notes")


def test_notes_column_is_allowed_in_every_table(tables, case_dir):
    for file in ("plants.csv", "uses.csv", "treatment.csv"):
        for row in tables[file]:
            row["notes"] = 'assumed, see "README"'
    case = load_case(case_dir(tables))
    assert len(case.uses) == 3 and len(case.plants) == 2 and len(case.trains) == 1


def test_a_column_given_twice(tables, case_dir):
    text = "plant,zone,zone\nP1,Z1,Z1\nP2,Z2,Z2\n"
    tables["plants.csv"] = text
    check(only_problem(case_dir(tables)), "plants.csv", 1, "zone", None, "more than once")


def test_line_numbers_count_lines_as_an_editor_does(tables, case_dir):
    # A note with a line break spans lines 2-3, so the cooling row starts on line 5, not 4.
    tables["uses.csv"][0]["notes"] = "first line\nsecond line"
    tables["uses.csv"][2]["demand_m3_per_day"] = "-3"
    folder = case_dir(tables)
    lines = (folder / "uses.csv").read_text().splitlines()
    assert lines[4].startswith("P2,cooling,-3")  # line 5 in an editor
    check(only_problem(folder), "uses.csv", 5, "demand_m3_per_day", "-3")


def test_a_row_with_the_wrong_number_of_cells(tables, case_dir):
    tables["plants.csv"] = "plant,zone\nP1,Z1\nP2,Z2,extra\n"
    check(only_problem(case_dir(tables)), "plants.csv", 3, None, None, "3 cells", "header has 2")


def test_a_file_that_is_not_utf8(tables, case_dir):
    folder = case_dir(tables)
    (folder / "plants.csv").write_bytes("plant,zone\nP1,Z1\nP2,Zone \xe9\n".encode("latin-1"))
    check(only_problem(folder), "plants.csv", None, None, None, "UTF-8")


# --- cell values ---------------------------------------------------------------------------
# (file, row index, column): row index 1 is the second data row, line 3 in an editor.

NUMBER_CELLS = [
    ("uses.csv", 1, "demand_m3_per_day"), ("uses.csv", 1, "return_fraction"),
    ("treatment.csv", 0, "capacity_m3_per_day"), ("treatment.csv", 0, "recovery"),
]


@pytest.mark.parametrize("file, index, column", NUMBER_CELLS)
@pytest.mark.parametrize("value", ["abc", "1,5", "12 m3", "", "2_508"])
def test_non_numeric_value(tables, case_dir, file, index, column, value):
    # "2_508" is Python's digit grouping, which pydantic would read as 2508: a typo in a CSV cell
    tables[file][index][column] = value
    p = only_problem(case_dir(tables))
    if column == "demand_m3_per_day" and value == "":
        # a blank demand is allowed only for a mass-transfer operation (a load in
        # use_quality.csv); without one the rule says so
        check(p, file, index + 2, column, value, "demand is required", "load_kg_per_day")
    else:
        check(p, file, index + 2, column, value, "must be a number")


@pytest.mark.parametrize("file, index, column", NUMBER_CELLS)
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
def test_nan_and_infinity(tables, case_dir, file, index, column, value):
    # 1e400 overflows a double to inf, so it is the same mistake.
    tables[file][index][column] = value
    check(only_problem(case_dir(tables)), file, index + 2, column, value, "finite")


def test_negative_demand(tables, case_dir):
    tables["uses.csv"][2]["demand_m3_per_day"] = "-30"
    check(only_problem(case_dir(tables)), "uses.csv", 4, "demand_m3_per_day", "-30",
          "in [0, 1e+09]")  # the whole range a flow may take (model.case.rows)


def test_zero_demand_is_allowed(tables, case_dir):
    tables["uses.csv"][2]["demand_m3_per_day"] = "0"
    assert load_case(case_dir(tables)).uses[2].demand_m3_per_day == 0.0


def test_negative_capacity(tables, case_dir):
    tables["treatment.csv"][0]["capacity_m3_per_day"] = "-1000"
    check(only_problem(case_dir(tables)), "treatment.csv", 2, "capacity_m3_per_day", "-1000",
          "in [0, 1e+09]")


@pytest.mark.parametrize("value", ["-0.1", "1.01", "90"])
def test_return_fraction_outside_0_1(tables, case_dir, value):
    tables["uses.csv"][0]["return_fraction"] = value
    check(only_problem(case_dir(tables)), "uses.csv", 2, "return_fraction", value, "[0, 1]")


@pytest.mark.parametrize("value", ["0", "1"])
def test_return_fraction_bounds_are_allowed(tables, case_dir, value):
    tables["uses.csv"][0]["return_fraction"] = value
    assert load_case(case_dir(tables)).uses[0].return_fraction == float(value)


@pytest.mark.parametrize("value", ["0", "1.2", "-0.5"])
def test_recovery_outside_0_exclusive_1_inclusive(tables, case_dir, value):
    tables["treatment.csv"][0]["recovery"] = value
    check(only_problem(case_dir(tables)), "treatment.csv", 2, "recovery", value, "(0, 1]")


def test_recovery_of_one_is_allowed(tables, case_dir):
    tables["treatment.csv"][0]["recovery"] = "1.0"
    assert load_case(case_dir(tables)).trains[0].recovery == 1.0


def test_negative_reuse_limit(tables, case_dir):
    tables["uses.csv"][1]["max_recycles"] = "-1"
    check(only_problem(case_dir(tables)), "uses.csv", 3, "max_recycles", "-1", ">= 0")


@pytest.mark.parametrize("value", ["1.5", "two", "1e400", "1_0"])
def test_non_integer_reuse_limit(tables, case_dir, value):
    tables["uses.csv"][1]["max_recycles"] = value
    check(only_problem(case_dir(tables)), "uses.csv", 3, "max_recycles", value, "whole number")


def test_blank_reuse_limit_means_the_site_limit(tables, case_dir):
    # uses 0 and 2 leave max_recycles blank; the site K in case.toml is 2.
    case = load_case(case_dir(tables))
    assert [u.max_recycles for u in case.uses] == [2, 1, 2]


def test_missing_reuse_limit_column_means_the_site_limit(tables, case_dir):
    for row in tables["uses.csv"]:
        del row["max_recycles"]
    assert [u.max_recycles for u in load_case(case_dir(tables)).uses] == [2, 2, 2]


def test_reuse_limit_above_the_site_limit_is_capped(tables, case_dir):
    # K = 2: a use allowing 5 passes can still only get water treated at most twice.
    tables["uses.csv"][0]["max_recycles"] = 5
    tables["uses.csv"][1]["max_recycles"] = 0
    case = load_case(case_dir(tables))
    assert [u.max_recycles for u in case.uses] == [2, 0, 2]


# --- rows and cross-references -------------------------------------------------------------

def test_duplicate_plant(tables, case_dir):
    tables["plants.csv"].append({"plant": "P1", "zone": "Z2"})  # line 4
    check(only_problem(case_dir(tables)), "plants.csv", 4, "plant", "P1", "duplicate", "line 2")


def test_duplicate_use_row(tables, case_dir):
    tables["uses.csv"].append(dict(tables["uses.csv"][1]))  # P1/scrubber again, line 5
    p = only_problem(case_dir(tables))
    check(p, "uses.csv", 5, "use", "P1/scrubber", "duplicate", "line 3")


def test_duplicate_train(tables, case_dir):
    tables["treatment.csv"].append(dict(tables["treatment.csv"][0]))  # line 3
    check(only_problem(case_dir(tables)), "treatment.csv", 3, "train", "T1", "duplicate")


def test_the_same_use_name_at_two_plants_is_fine(tables, case_dir):
    tables["uses.csv"].append({"plant": "P2", "use": "rinse", "demand_m3_per_day": 10,
                               "return_fraction": 0.5, "max_recycles": ""})
    assert len(load_case(case_dir(tables)).uses) == 4


def test_use_at_unknown_plant(tables, case_dir):
    tables["uses.csv"][2]["plant"] = "P9"
    check(only_problem(case_dir(tables)), "uses.csv", 4, "plant", "P9", "plants.csv")


def test_a_bad_plant_row_is_reported_once_but_unknown_plants_still_are(tables, case_dir):
    # P2's row (line 3) is rejected for its stray cell; the use at P2 and the train serving Z2
    # refer to names that row gives, so they are not errors of their own. P9 is named nowhere
    # and is still reported.
    tables["plants.csv"] = "plant,zone\nP1,Z1\nP2,Z2,stray\n"
    tables["uses.csv"][0]["plant"] = "P9"
    problems = problems_of(case_dir(tables))
    assert len(problems) == 2, "\n".join(map(str, problems))
    check(problems[0], "plants.csv", 3, None, None, "3 cells")
    check(problems[1], "uses.csv", 2, "plant", "P9", "plants.csv")


def test_train_serving_unknown_zone(tables, case_dir):
    tables["treatment.csv"][0]["zones"] = "Z1;Z9"
    check(only_problem(case_dir(tables)), "treatment.csv", 2, "zones", "Z9", "plants.csv")


@pytest.mark.parametrize("zones", ["", ";", " ; "])
def test_train_serving_no_zone(tables, case_dir, zones):
    tables["treatment.csv"][0]["zones"] = zones
    p = only_problem(case_dir(tables))
    assert (p.file, p.row, p.column) == ("treatment.csv", 2, "zones")


def test_empty_case_no_uses(tables, case_dir):
    tables["uses.csv"] = ",".join(USE_COLUMNS) + "\n"
    check(only_problem(case_dir(tables)), "uses.csv", None, None, None, "empty", "no uses")


def test_a_case_whose_only_use_is_bad_is_not_called_empty(tables, case_dir):
    # The bad row is the problem; "no uses are listed" would send the user to the wrong place.
    tables["uses.csv"] = tables["uses.csv"][:1]
    tables["uses.csv"][0]["return_fraction"] = "x"
    check(only_problem(case_dir(tables)), "uses.csv", 2, "return_fraction", "x")


def test_mixed_cost_per_m3(tables, case_dir):
    tables["treatment.csv"][0]["cost_per_m3"] = 15.6
    tables["treatment.csv"].append({"train": "T2", "capacity_m3_per_day": 500,
                                    "recovery": 0.6, "zones": "Z2", "cost_per_m3": ""})
    check(only_problem(case_dir(tables)), "treatment.csv", 3, "cost_per_m3", "",
          "T1", "every train or for none")


def test_cost_per_m3_for_every_train_is_fine(tables, case_dir):
    tables["treatment.csv"][0]["cost_per_m3"] = 15.6
    assert load_case(case_dir(tables)).trains[0].cost_per_m3 == 15.6


# --- case.toml ------------------------------------------------------------------------------

def test_case_toml_missing_name(tables, case_dir):
    del tables["case.toml"]["name"]
    check(only_problem(case_dir(tables)), "case.toml", None, "name", None, "required")


@pytest.mark.parametrize("value, words", [
    (-1, ["in [0, 100]"]), (1.5, ["whole number"]), (2.0, ["whole number"]),
    (True, ["whole number"]), ("2", ["whole number"]),
])
def test_case_toml_bad_max_recycles(tables, case_dir, value, words):
    # TOML has typed values: 2.0 is a float and true a boolean, neither a count of passes.
    # The problem is on line 2, where max_recycles is written (after name).
    tables["case.toml"]["max_recycles"] = value
    p = only_problem(case_dir(tables))
    check(p, "case.toml", 2, "max_recycles", value, *words)
    assert p.kind == "key" and "key 'max_recycles'" in str(p) and "column" not in str(p)


def test_case_toml_unknown_key(tables, case_dir):
    tables["case.toml"]["max_recycle"] = 3  # line 3
    p = only_problem(case_dir(tables))
    check(p, "case.toml", 3, "max_recycle", 3, "unknown key", "name", "max_recycles", "tap")


def test_case_toml_unknown_key_in_tap(tables, case_dir):
    # name, max_recycles, a blank line, [tap] on line 4, cap_m3_per_day, cap on line 6
    tables["case.toml"]["tap"] = {"cap_m3_per_day": 100.0, "cap": 5}
    p = only_problem(case_dir(tables))
    check(p, "case.toml", 6, "tap.cap", 5, "unknown key", "cap_m3_per_day", "price_per_m3")


@pytest.mark.parametrize("key, value, words", [
    ("cap_m3_per_day", -5.0, ["in [0, 1e+09]"]), ("cap_m3_per_day", float("nan"), ["finite"]),
    ("price_per_m3", "cheap", ["number"]),
])
def test_case_toml_bad_tap_value(tables, case_dir, key, value, words):
    tables["case.toml"]["tap"] = {key: value}
    p = only_problem(case_dir(tables))
    assert (p.file, p.column) == ("case.toml", f"tap.{key}")
    for w in words:
        assert w in p.rule


def test_invalid_toml(tables, case_dir):
    tables["case.toml"] = 'name = "tiny"\nmax_recycles = 2\n[tap\n'
    p = only_problem(case_dir(tables))
    assert (p.file, p.row) == ("case.toml", 3)
    assert "TOML" in p.rule


# --- all at once, and nothing written ---------------------------------------------------------

def test_problems_in_several_files_are_all_reported_together(tables, case_dir):
    tables["case.toml"]["colour"] = "blue"                       # case.toml line 3, key colour
    tables["plants.csv"].append({"plant": "P2", "zone": "Z1"})   # plants.csv line 4
    tables["uses.csv"][1]["demand_m3_per_day"] = "-50"           # uses.csv line 3
    tables["uses.csv"][2]["return_fraction"] = "nan"             # uses.csv line 4
    tables["treatment.csv"][0]["recovery"] = "1.5"               # treatment.csv line 2
    problems = problems_of(case_dir(tables))
    where = sorted((p.file, p.row or 0, p.column) for p in problems)
    assert where == sorted([
        ("case.toml", 3, "colour"),
        ("plants.csv", 4, "plant"),
        ("uses.csv", 3, "demand_m3_per_day"),
        ("uses.csv", 4, "return_fraction"),
        ("treatment.csv", 2, "recovery"),
    ])


@pytest.mark.parametrize("valid", [True, False])
def test_input_files_are_never_modified(tables, case_dir, valid):
    if not valid:
        tables["uses.csv"][0]["demand_m3_per_day"] = "-1"
    tables["plants.csv"][0]["notes"] = "keep\r\nthis byte for byte"
    folder = case_dir(tables)
    (folder / "uses.csv").write_bytes(b"\xef\xbb\xbf" + (folder / "uses.csv").read_bytes())

    def snapshot():
        return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
                for p in sorted(folder.iterdir())}

    before = snapshot()
    if valid:
        load_case(folder)
    else:
        problems_of(folder)
    assert snapshot() == before


def test_a_row_with_a_bad_cell_still_has_its_names_checked(tables, case_dir):
    # every problem at once: the train row with a bad recovery also names a zone no plant is
    # in (once reported only after the recovery was fixed, a second run); the uses row with a
    # bad demand also names an unknown plant
    tables["treatment.csv"][0].update(recovery="70%", zones="Z1;Z9")
    tables["uses.csv"][2].update(plant="P7", demand_m3_per_day="lots")
    problems = problems_of(case_dir(tables))
    assert len(problems) == 4, "\n".join(map(str, problems))
    by_place = {(p.file, p.row, p.column): p for p in problems}
    check(by_place["treatment.csv", 2, "recovery"], "treatment.csv", 2, "recovery", "70%",
          "number")
    check(by_place["treatment.csv", 2, "zones"], "treatment.csv", 2, "zones", "Z9",
          "zone has no plant")
    check(by_place["uses.csv", 4, "demand_m3_per_day"], "uses.csv", 4, "demand_m3_per_day",
          "lots", "number")
    check(by_place["uses.csv", 4, "plant"], "uses.csv", 4, "plant", "P7", "not in plants.csv")


def test_a_name_cell_that_breaks_its_own_rule_is_reported_once(tables, case_dir):
    # a blank plant cell, or a zones cell with no name in it, is its own problem, not also an
    # unknown plant "" or zone
    tables["treatment.csv"][0].update(recovery="70%", zones=" ; ")
    tables["uses.csv"][2].update(plant="", demand_m3_per_day="lots")
    problems = problems_of(case_dir(tables))
    assert sorted((p.file, p.row, p.column) for p in problems) == [
        ("treatment.csv", 2, "recovery"), ("treatment.csv", 2, "zones"),
        ("uses.csv", 4, "demand_m3_per_day"), ("uses.csv", 4, "plant")], \
        "\n".join(map(str, problems))
    assert not [p for p in problems if "not in plants.csv" in p.rule]
