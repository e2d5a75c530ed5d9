"""A case as one workbook: bundled cases survive folder -> workbook -> folder unchanged, the CLI
accepts a workbook wherever a case folder goes, and what only a workbook can hold (formulas,
merged cells, extra sheets, spreadsheet errors, dates, a file that is no workbook) gets a clear
message naming sheet, row and column, or the meaning documented in model/case/workbook.py."""
from __future__ import annotations

import hashlib
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from model.bundled import bundled_case, bundled_case_names
from model.case import load_case
from model.case.convert import folder_files, workbook_bytes
from model.cli import main
from model.errors import CaseError
from tests.case_folder import valid_tables, write_case
from tests.case_workbook import as_workbook


@pytest.fixture
def book(tmp_path) -> Path:
    """The tiny valid case of tests/case_folder.py as a workbook."""
    path, _ = as_workbook(write_case(tmp_path / "tiny", valid_tables()), tmp_path / "case.xlsx")
    return path


def problems(path: Path):
    with pytest.raises(CaseError) as info:
        load_case(path)
    return info.value.problems


def edit(path: Path, change) -> Path:
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    return path


@pytest.mark.parametrize("name", bundled_case_names())
def test_a_bundled_case_is_the_same_case_as_a_workbook_and_back(tmp_path, name):
    # Equal Case objects are the same LP, so the same figures; the plan itself is compared
    # end to end for two cases below.
    original = load_case(bundled_case(name))
    book = tmp_path / "case.xlsx"
    book.write_bytes(workbook_bytes(bundled_case(name)))
    back = tmp_path / "back"
    back.mkdir()
    for file, text in folder_files(book).items():
        (back / file).write_text(text, encoding="utf-8")
    assert load_case(book) == original
    assert load_case(back) == original
    sheets = load_workbook(book).sheetnames
    files = sorted(p.name for p in bundled_case(name).iterdir())
    assert sorted(p.name for p in back.iterdir()) == files  # READMEs travel as *.md sheets
    assert sheets[0] == "case" and set(sheets) == {Path(f).stem if f.endswith(
        (".csv", ".toml")) else f for f in files}


@pytest.mark.parametrize("name", ["ntip-2019-phase2", "wang-smith-1994"])
def test_convert_both_ways_on_the_command_line_gives_the_same_plan(tmp_path, name, capsys):
    book, back = tmp_path / "case.xlsx", tmp_path / "back"
    assert main(["convert", name, str(book)]) == 0
    assert main(["convert", str(book), str(back)]) == 0
    plans = []
    for src in (name, str(book), str(back)):
        out = tmp_path / f"s{len(plans)}.json"
        assert main(["solve", src, "--no-largest-cut", "--json", str(out)]) == 0
        summary = json.loads(out.read_text())
        summary.pop("solve_seconds")
        plans.append(summary)
    assert plans[0] == plans[1] == plans[2]


def test_convert_refuses_a_folder_that_holds_files_and_a_same_kind_target(tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "tanks.csv").write_text("x")
    book = tmp_path / "c.xlsx"
    assert main(["convert", "ntip-2019-phase2", str(book)]) == 0
    assert main(["convert", str(book), str(tmp_path / "full")]) == 2
    assert main(["convert", "ntip-2019-phase2", str(tmp_path / "folder")]) == 2
    err = capsys.readouterr().err
    assert "new or empty folder" in err and "from a folder to a .xlsx" in err
    assert "Traceback" not in err and not (tmp_path / "folder").exists()
    assert (tmp_path / "full" / "tanks.csv").read_text() == "x"


def test_convert_of_an_invalid_case_lists_the_problems_and_writes_nothing(tmp_path, capsys):
    tables = valid_tables()
    tables["uses.csv"][0]["return_fraction"] = "2"
    folder = write_case(tmp_path / "bad", tables)
    assert main(["convert", str(folder), str(tmp_path / "bad.xlsx")]) == 2
    assert "uses.csv, line 2, column 'return_fraction'" in capsys.readouterr().err
    assert not (tmp_path / "bad.xlsx").exists()


def test_a_formula_is_its_saved_value(book):
    # openpyxl writes formulas without a saved value; put one in the sheet's XML as a
    # spreadsheet program would after calculating: demand 2*50 saved as 100.
    edit(book, lambda wb: wb["uses"].cell(2, 3, "=2*50"))
    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/") and b"2*50" in parts[n])
    parts[name] = parts[name].replace(b"<f>2*50</f><v></v>", b"<f>2*50</f><v>100</v>")
    parts[name] = parts[name].replace(b"<f>2*50</f><v />", b"<f>2*50</f><v>100</v>")
    assert b"<v>100</v>" in parts[name]
    with zipfile.ZipFile(book, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    assert load_case(book).uses[0].demand_m3_per_day == 100.0


def test_a_formula_without_a_saved_value_is_an_error_naming_the_cell(book):
    edit(book, lambda wb: wb["uses"].cell(3, 4, "=0.4*2"))
    (p,) = problems(book)
    assert (p.sheet, p.row, p.column, p.letter) == ("uses", 3, "return_fraction", "D")
    assert "no saved value" in p.rule
    assert "sheet 'uses', row 3, column D 'return_fraction'" in str(p)


def test_a_spreadsheet_error_in_a_cell_is_an_error(book):
    edit(book, lambda wb: wb["treatment"].cell(2, 3, "#DIV/0!"))
    (p,) = problems(book)
    assert (p.sheet, p.row, p.letter, p.column) == ("treatment", 2, "C", "recovery")
    assert "spreadsheet error" in p.rule


def test_merged_header_cells_are_an_error(book):
    edit(book, lambda wb: wb["uses"].merge_cells("C1:D1"))
    (p,) = problems(book)
    assert (p.sheet, p.row) == ("uses", 1) and "C1:D1 are merged" in p.rule


def test_an_extra_sheet_is_an_error_that_lists_the_sheets_and_an_md_sheet_is_notes(book):
    edit(book, lambda wb: (wb.create_sheet("tank"), wb.create_sheet("README.md")))
    (p,) = problems(book)
    assert p.sheet == "tank" and "unknown sheet" in p.rule
    assert all(s in p.rule for s in ("plants", "uses", "treatment", "tanks", "case"))
    edit(book, lambda wb: wb.remove(wb["tank"]))
    assert len(load_case(book).uses) == 3


def test_a_date_cell_is_an_iso_date(tmp_path, book):
    def add_periods(wb):
        sheet = wb.create_sheet("periods")
        sheet.append(["period", "start", "days"])
        sheet.append(["jan", datetime(2023, 1, 1), 31])
        sheet.append(["feb", datetime(2023, 2, 1), 28])
    case = load_case(edit(book, add_periods))
    assert [p.name for p in case.periods] == ["jan", "feb"]
    assert case.by_period.starts["feb"].isoformat() == "2023-02-01"


def test_settings_rows_and_a_dotted_key(book):
    def settings(wb):
        wb["case"].append(["tap.cap_m3_per_day", -5])
        wb["case"].append(["max_recycles", 3])
    found = sorted(problems(edit(book, settings)), key=lambda p: p.row)
    assert [(p.sheet, p.row, p.column, p.letter) for p in found] == [
        ("case", 4, "tap.cap_m3_per_day", "B"), ("case", 5, "max_recycles", "A")]
    assert "[0, 1e+09]" in found[0].rule and "given twice; first given on row 3" in found[1].rule


def test_a_file_that_is_not_a_workbook_and_a_missing_one_exit_2(tmp_path, capsys):
    fake = tmp_path / "case.xlsx"
    fake.write_text("plant,zone\n")
    assert main(["solve", str(fake)]) == 2
    assert main(["solve", str(tmp_path / "none.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "case.xlsx: is not a readable Excel workbook" in err
    assert "case workbook does not exist" in err and "Traceback" not in err


@pytest.mark.parametrize("valid", [True, False])
def test_a_workbook_is_never_modified(book, valid):
    if not valid:
        edit(book, lambda wb: wb["uses"].cell(2, 3, -1))
    before = (hashlib.sha256(book.read_bytes()).hexdigest(), book.stat().st_mtime_ns)
    if valid:
        load_case(book)
    else:
        problems(book)
    assert (hashlib.sha256(book.read_bytes()).hexdigest(), book.stat().st_mtime_ns) == before


def test_a_note_that_starts_with_equals_stays_text(tmp_path):
    tables = valid_tables()
    tables["plants.csv"][0]["notes"] = "=see README"
    folder = write_case(tmp_path / "c", tables)
    book = tmp_path / "c.xlsx"
    book.write_bytes(workbook_bytes(folder))
    assert load_case(book) == load_case(folder)
    assert re.search("=see README", folder_files(book)["plants.csv"])


def test_an_empty_workbook_lists_the_missing_sheets(tmp_path):
    wb = Workbook()
    wb.active.title = "case"
    wb.active.append(["setting", "value"])
    wb.active.append(["name", "x"])
    wb.active.append(["max_recycles", 1])
    wb.save(tmp_path / "e.xlsx")
    found = problems(tmp_path / "e.xlsx")
    assert {(p.sheet, p.rule) for p in found} == {
        (s, "sheet is missing") for s in ("plants", "uses", "treatment")}
    assert "e.xlsx, sheet 'plants': sheet is missing" in map(str, found)
