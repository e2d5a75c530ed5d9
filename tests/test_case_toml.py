"""case.toml and rationing.toml go through one TOML reader: every problem names the file, the
line where the key is written, the key (never "column"), the value and the rule; a byte-order
mark is accepted as in a CSV file; through the command line an error is exit code 2."""
from __future__ import annotations

from pathlib import Path

import pytest

from model.case import load_case
from model.cli import main
from model.errors import CaseError, Problem
from period_casefiles import write_case
from tests.case_workbook import check_workbook_counterpart

BOM = "\ufeff"


def only_problem(folder: Path) -> Problem:
    with pytest.raises(CaseError) as info:
        load_case(folder)
    problems = info.value.problems
    check_workbook_counterpart(folder, problems)  # the same case as a workbook
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# rationing.toml: the bad key is on line 3, below a comment and a blank line
@pytest.mark.parametrize("line, key, value, words", [
    ('fair_share = "yes"', "fair_share", "yes", ["true or false"]),
    ("fairshare = true", "fairshare", True, ["unknown key", "fair_share", "price_shortage"]),
    ("baseline_m3_per_day = -90", "baseline_m3_per_day", -90, ["in [0, 1e+09]"]),
    ("cut = 1.5", "cut", 1.5, ["in [0, 1)"]),  # optional, yet both bounds are told
    ("price_shortage = 1", "price_shortage", 1, ["true or false"]),
])
def test_rationing_toml_schema_error_names_file_line_and_key(tmp_path, line, key, value, words):
    p = only_problem(write_case(tmp_path, {"rationing.toml": f"# drought of 2023\n\n{line}\n"}))
    assert (p.file, p.row, p.column, p.value, p.kind) == ("rationing.toml", 3, key, value, "key")
    assert f"rationing.toml, line 3, key '{key}'" in str(p) and "column" not in str(p)
    for word in words:
        assert word in p.rule


def test_rationing_toml_error_exits_2_without_traceback(tmp_path, capsys):
    # this exited 1, "internal error", when rationing.toml had its own reader
    folder = write_case(tmp_path, {"rationing.toml": 'fair_share = "yes"\n'})
    assert main(["solve", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "rationing.toml, line 1, key 'fair_share': value 'yes': must be true or false" \
        in captured.err
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    assert captured.out == ""


def test_a_key_in_a_table_is_found_on_its_own_line(tmp_path):
    # name, max_recycles, a blank line, [tap] on line 4, a comment, the bad key on line 6
    folder = write_case(tmp_path, {"case.toml": 'name = "x"\nmax_recycles = 1\n\n[tap]\n'
                                                "# from the 2023 bill\nprice_per_m3 = -12\n"})
    p = only_problem(folder)
    assert (p.file, p.row, p.column, p.kind) == ("case.toml", 6, "tap.price_per_m3", "key")


def test_a_dotted_key_and_an_unknown_table_are_found(tmp_path):
    folder = write_case(tmp_path, {"case.toml": 'name = "x"\nmax_recycles = 1\n'
                                                "tap.cap_m3_per_day = -1\n"})
    assert only_problem(folder).row == 3
    folder = write_case(tmp_path / "b", {"rationing.toml": "fair_share = true\n\n[stages]\n"
                                                           "red = 0.2\n"})
    p = only_problem(folder)
    assert (p.row, p.column) == (3, "stages") and "unknown key" in p.rule


def test_a_key_inside_a_multiline_description_is_not_taken_for_the_real_one(tmp_path):
    folder = write_case(tmp_path, {"case.toml": 'name = "x"\ndescription = """\n'
                                                'max_recycles = 5 in phase 2\n"""\n'
                                                "max_recycles = -1\n"})
    p = only_problem(folder)
    assert (p.row, p.column, p.value) == (5, "max_recycles", -1)


def test_a_missing_top_level_key_has_no_line_but_says_key(tmp_path):
    p = only_problem(write_case(tmp_path, {"case.toml": "max_recycles = 1\n"}))
    assert (p.file, p.row, p.column) == ("case.toml", None, "name")
    assert str(p) == "case.toml, key 'name': is required"


def test_invalid_rationing_toml_gives_its_line(tmp_path):
    p = only_problem(write_case(tmp_path, {"rationing.toml": "fair_share = true\ncut = \n"}))
    assert (p.file, p.row) == ("rationing.toml", 2) and "not valid TOML" in p.rule


def test_rationing_toml_that_is_not_utf8(tmp_path):
    folder = write_case(tmp_path, {})
    (folder / "rationing.toml").write_bytes('# sécheresse\nfair_share = true\n'.encode("latin-1"))
    p = only_problem(folder)
    assert p.file == "rationing.toml" and "UTF-8" in p.rule


def test_toml_files_with_a_byte_order_mark_load(tmp_path):
    folder = write_case(tmp_path, {
        "case.toml": BOM + 'name = "bom"\nmax_recycles = 1\n',
        "rationing.toml": BOM + "fair_share = true\nbaseline_m3_per_day = 90\n"})
    assert (folder / "case.toml").read_bytes().startswith(b"\xef\xbb\xbf")
    case = load_case(folder)
    assert case.name == "bom" and case.max_recycles == 1
    assert case.rationing.fair_share and case.rationing.baseline_m3_per_day == 90


def test_a_byte_order_mark_does_not_shift_the_line(tmp_path):
    p = only_problem(write_case(tmp_path, {"case.toml": BOM + 'name = "bom"\nmax_recycles = -1\n'}))
    assert (p.file, p.row, p.column) == ("case.toml", 2, "max_recycles")
