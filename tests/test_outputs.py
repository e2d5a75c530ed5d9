"""Outputs are all or nothing: the --out folder is swapped in whole (no stale file of an earlier
run survives), --json and --out are one set, a failed or refused run writes nothing, a folder
this tool did not write is never replaced, and files get the user's umask."""
from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import shutil
import signal
import stat
import sys
from pathlib import Path

import pytest

from model.cli import main
from model.results import atomic
from model.results.output import OutputError, check_outputs, write_outputs


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def siblings(folder: Path) -> list[str]:
    return [p.name for p in folder.parent.iterdir() if ".wateralloc-" in p.name]


def test_a_steady_run_over_a_drought_folder_leaves_no_stale_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", "kaohsiung-2023-drought", "--no-largest-cut", "--out", str(out)]) == 0
    assert {"shortages.csv", "tank_levels.csv"} <= names(out)
    assert main(["solve", "ntip-2015-phase1", "--no-largest-cut", "--out", str(out)]) == 0
    # exactly the steady case's set: the drought run's extra tables are gone
    assert names(out) == {"allocation.csv", "feeds.csv", "trains.csv", "plants.csv", "uses.csv",
                          "quality.csv", "periods.csv", "summary.json"}
    assert json.loads((out / "summary.json").read_text())["case"] == "ntip-2015-phase1"
    assert siblings(out) == []


def test_files_and_folder_get_the_umask(tmp_path):
    saved = os.umask(0o027)
    try:
        write_outputs(tmp_path / "out", {"allocation.csv": "a\n"},
                      {"--json": (tmp_path / "s.json", "{}\n")})
    finally:
        os.umask(saved)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "out") == 0o750  # 0o777 less 0o027, not mkdtemp's 0o700
    assert mode(tmp_path / "out" / "allocation.csv") == 0o640  # not mkstemp's 0o600
    assert mode(tmp_path / "s.json") == 0o640


def test_json_dash_is_a_file_named_dash(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["solve", "wang-smith-1994", "--no-largest-cut", "--json", "-"]) == 0
    printed = capsys.readouterr().out
    assert json.loads((tmp_path / "-").read_text())["case"] == "wang-smith-1994"
    assert not printed.lstrip().startswith("{")  # stdout has the report, not the JSON


def test_a_bad_json_target_writes_no_folder_either(tmp_path, capsys):
    (tmp_path / "a-folder").mkdir()
    code = main(["solve", "--out", str(tmp_path / "res"), "--json", str(tmp_path / "a-folder")])
    assert code == 2 and "is a folder" in capsys.readouterr().err
    assert not (tmp_path / "res").exists()


def test_a_folder_with_other_files_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    assert main(["solve", "wang-smith-1994", "--out", str(out)]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert names(out) == {"notes.txt"} and (out / "notes.txt").read_text() == "keep me\n"


def test_a_failure_while_committing_puts_everything_back(tmp_path, monkeypatch):
    out, js = tmp_path / "out", tmp_path / "s.json"
    write_outputs(out, {"allocation.csv": "old\n"}, {"--json": (js, "old json\n")})
    real_swap, calls = atomic.swap, []

    def failing_swap(new, target):
        calls.append(target)
        if len(calls) == 2:  # the folder went in, then the JSON file fails
            raise OSError(28, "No space left on device")
        return real_swap(new, target)

    monkeypatch.setattr(atomic, "swap", failing_swap)
    with pytest.raises(OSError):
        write_outputs(out, {"allocation.csv": "new\n", "summary.json": "{}"},
                      {"--json": (js, "new json\n")})
    assert (out / "allocation.csv").read_text() == "old\n" and names(out) == {"allocation.csv"}
    assert js.read_text() == "old json\n"
    assert siblings(out) == []


@pytest.fixture
def sigint():
    """Set SIGINT's handler for one test; the runner's own is put back after it."""
    before = signal.getsignal(signal.SIGINT)
    yield lambda handler: signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGINT, before)


def test_ctrl_c_while_committing_puts_everything_back_then_stops_the_run(tmp_path, monkeypatch,
                                                                          sigint):
    # the signal arrives after the folder went in: it is held (pending) until the commit has
    # put the old output back, then delivered, so the run stops with the old files in place.
    # The suite's process has other threads (HiGHS's workers): a signal blocked in the main
    # thread alone would be taken by one of them and raise at once, mid-commit.
    sigint(signal.default_int_handler)  # Python's own, as in a terminal (a runner may ignore it)
    out, js = tmp_path / "out", tmp_path / "s.json"
    write_outputs(out, {"allocation.csv": "old\n"}, {"--json": (js, "old json\n")})
    real_swap, calls = atomic.swap, []

    def interrupted_swap(new, target):
        calls.append(target)
        existed = real_swap(new, target)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
            assert atomic.signal_pending()        # held, not yet delivered
        return existed

    monkeypatch.setattr(atomic, "swap", interrupted_swap)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(out, {"allocation.csv": "new\n", "summary.json": "{}"},
                      {"--json": (js, "new json\n")})
    assert calls == [out, out]    # the folder in, and back out by the undo; never the JSON
    assert (out / "allocation.csv").read_text() == "old\n" and names(out) == {"allocation.csv"}
    assert js.read_text() == "old json\n"
    assert siblings(out) == [] and not atomic.signal_pending()


def test_an_ignored_ctrl_c_while_committing_neither_undoes_the_commit_nor_stops_the_run(
        tmp_path, monkeypatch, sigint):
    # a run started in the background by a script ignores SIGINT. Held like a handled one, it
    # would undo the commit and then be ignored: the run would go on, exit 0, and leave the old
    # output in place of the new.
    sigint(signal.SIG_IGN)
    out, js = tmp_path / "out", tmp_path / "s.json"
    write_outputs(out, {"allocation.csv": "old\n"}, {"--json": (js, "old json\n")})
    real_swap, calls = atomic.swap, []

    def interrupted_swap(new, target):
        calls.append(target)
        existed = real_swap(new, target)
        os.kill(os.getpid(), signal.SIGINT)
        return existed

    monkeypatch.setattr(atomic, "swap", interrupted_swap)
    write_outputs(out, {"allocation.csv": "new\n", "summary.json": "{}"},
                  {"--json": (js, "new json\n")})
    assert calls == [out, js]
    assert names(out) == {"allocation.csv", "summary.json"}
    assert (out / "allocation.csv").read_text() == "new\n" and js.read_text() == "new json\n"
    assert siblings(out) == [] and not atomic.signal_pending()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_without_an_atomic_exchange_the_swap_still_replaces_whole(tmp_path, monkeypatch):
    # renameat2 missing (not Linux, old C library): three renames, same result, no leftovers
    monkeypatch.setattr(atomic, "_RENAMEAT2", None)
    out = tmp_path / "out"
    write_outputs(out, {"allocation.csv": "1\n", "shortages.csv": "1\n"})
    write_outputs(out, {"allocation.csv": "2\n"})
    assert names(out) == {"allocation.csv"} and (out / "allocation.csv").read_text() == "2\n"
    assert siblings(out) == []


def test_the_exchange_is_atomic_where_the_system_has_it(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    assert atomic.swap(a, b) is True
    assert (b / "x").read_text() == "a" and (a / "x").read_text() == "b"


def test_swap_then_unswap_puts_both_paths_back(tmp_path):
    new, target = tmp_path / "new", tmp_path / "target"
    new.write_text("new")
    assert atomic.swap(new, target) is False  # nothing was there: a plain move
    assert target.read_text() == "new" and not new.exists()
    atomic.unswap(new, target, False)
    assert new.read_text() == "new" and not target.exists()
    target.write_text("old")
    assert atomic.swap(new, target) is True
    assert (target.read_text(), new.read_text()) == ("new", "old")
    atomic.unswap(new, target, True)
    assert (target.read_text(), new.read_text()) == ("old", "new")


def test_a_failed_exchange_names_its_error_and_path(tmp_path):
    if atomic._RENAMEAT2 is None:
        pytest.skip("this C library has no renameat2")
    missing, there = tmp_path / "missing", tmp_path / "there"
    there.write_text("x")
    with pytest.raises(OSError) as failed:
        atomic._exchange(missing, there)
    assert failed.value.errno == errno.ENOENT
    assert failed.value.strerror == os.strerror(errno.ENOENT)
    assert failed.value.filename == str(there)


@pytest.mark.parametrize("code", sorted(atomic._NOT_SUPPORTED))
def test_an_exchange_the_file_system_refuses_falls_back_to_renames(tmp_path, monkeypatch, code):
    def refusing(*args):  # renameat2 as a file system without RENAME_EXCHANGE answers
        ctypes.set_errno(code)
        return -1
    monkeypatch.setattr(atomic, "_RENAMEAT2", refusing)
    new, target = tmp_path / "new", tmp_path / "target"
    new.write_text("new")
    target.write_text("old")
    assert atomic._exchange(new, target) is False
    assert atomic.swap(new, target) is True
    assert (target.read_text(), new.read_text()) == ("new", "old")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "target"]


def test_an_output_error_lists_every_problem_under_one_count():
    one = OutputError(["--json: is a folder"])
    assert str(one) == "invalid output: 1 problem\n  - --json: is a folder"
    two = OutputError(["--out: a", "--html: b"])
    assert str(two) == "invalid output: 2 problems\n  - --out: a\n  - --html: b"
    assert two.problems == ["--out: a", "--html: b"] and two.exit_code == 2


def test_the_c_library_s_renameat2_swaps_and_reports_errno(tmp_path):
    # found in glibc from 2.28 (the exchange flag needs Linux 3.15): the function itself,
    # called as `_exchange` calls it, and its errors read back through ctypes' errno
    libc, version = platform.libc_ver()
    if not sys.platform.startswith("linux") or libc != "glibc" or \
            tuple(int(p) for p in version.split(".")[:2]) < (2, 28):
        pytest.skip("renameat2 needs Linux with glibc 2.28 or later")
    renameat2 = atomic._renameat2()
    assert renameat2 is not None
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("a")
    b.write_text("b")
    assert renameat2(atomic.AT_FDCWD, os.fsencode(a), atomic.AT_FDCWD, os.fsencode(b),
                     atomic.RENAME_EXCHANGE) == 0
    assert (a.read_text(), b.read_text()) == ("b", "a")
    assert renameat2(atomic.AT_FDCWD, os.fsencode(tmp_path / "missing"), atomic.AT_FDCWD,
                     os.fsencode(b), atomic.RENAME_EXCHANGE) == -1
    assert ctypes.get_errno() == errno.ENOENT


def test_files_may_go_into_folders_that_do_not_exist_yet(tmp_path, capsys):
    # --json, --html and --out into new nested folders: the folders are made, the files written
    js, html = tmp_path / "a" / "b" / "plan.json", tmp_path / "c" / "d" / "plan.html"
    out = tmp_path / "e" / "f" / "out"
    assert main(["solve", "--json", str(js), "--html", str(html), "--out", str(out)]) == 0
    capsys.readouterr()
    assert json.loads(js.read_text())["status"] == "optimal"
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"


def test_a_file_inside_the_out_folder_is_refused_with_what_to_do(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError) as exc:
        check_outputs(out, {"--json": out / "s.json"})
    assert str(exc.value).endswith(
        f"--json {str(out / 's.json')!r} lies inside --out {str(out)!r}, which is replaced "
        "whole; give a file outside it")


def test_a_file_under_another_file_is_refused_before_anything_is_solved(tmp_path):
    # `--json afile/s.json` where afile is a file: said at once, not found when writing
    # after the solve ("File exists")
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(OutputError) as exc:
        check_outputs(None, {"--json": afile / "s.json"})
    assert str(exc.value).endswith(
        f"--json {str(afile / 's.json')!r}: {afile} is a file, not a folder")
    # and `--out afile/out`, the same
    with pytest.raises(OutputError) as exc:
        check_outputs(afile / "out", {})
    assert str(exc.value).endswith(f"--out {str(afile / 'out')!r}: {afile} is a file, not a folder")


def test_a_folder_nothing_can_be_written_in_is_refused_before_anything_is_solved(
        tmp_path, monkeypatch, capsys):
    # a folder the run cannot create entries in (read-only, another user's: here the file
    # system refuses the probe folder, as a read-only one does) is said at once, naming the
    # option, the path as given and the folder, with the system's reason; nothing is solved
    # (the plan is never built) and nothing is written. Before, the plan was solved and the
    # write then failed, naming a temporary path the user never gave.
    import model.results.output as output
    plan_module = sys.modules["model.studies.plan"]  # (the package's `plan` is the function)
    locked = tmp_path / "locked"
    locked.mkdir()
    made = output.tempfile.mkdtemp

    def refuse(*args, dir=None, **kwargs):
        if Path(dir) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
        return made(*args, dir=dir, **kwargs)
    monkeypatch.setattr(output.tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(plan_module, "build_model", lambda *a, **k: pytest.fail("solved"))
    out, js = locked / "out", locked / "new" / "summary.json"
    assert main(["solve", "--out", str(out), "--json", str(js)]) == 2
    err = capsys.readouterr().err
    assert err == ("wateralloc: invalid output: 2 problems\n"
                   f"  - --out {str(out)!r} cannot be written: nothing can be created in "
                   f"{locked} (Permission denied)\n"
                   f"  - --json {str(js)!r} cannot be written: nothing can be created in "
                   f"{locked} (Permission denied)\n")
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="a Linux /proc")
def test_an_output_under_proc_is_refused_with_the_system_s_reason(tmp_path, capsys):
    # the same on a real file system that takes no new entries, even from root (/proc)
    assert main(["solve", "--out", "/proc/wateralloc-out", "--no-largest-cut"]) == 2
    err = capsys.readouterr().err
    assert "--out '/proc/wateralloc-out' cannot be written: nothing can be created in /proc (" \
        in err
    assert not Path("/proc/wateralloc-out").exists()


def test_a_folder_of_other_files_is_named_by_its_first_five(tmp_path):
    # seven files the tool did not write: the refusal names the first five, sorted, then "...";
    # five are all named, six the first five and "..."
    out = tmp_path / "mine"
    out.mkdir()
    for name in "gfedcba":
        (out / f"{name}.txt").write_text(name)
    with pytest.raises(OutputError) as exc:
        check_outputs(out, {})
    assert str(exc.value).endswith(
        f"--out {str(out)!r} holds files this tool did not write (a.txt, b.txt, c.txt, d.txt, "
        "e.txt ...); the output folder is replaced whole, so give a new folder, or one holding "
        "only earlier output")
    (out / "f.txt").unlink()
    (out / "g.txt").unlink()   # five: all named, and nothing more to say
    with pytest.raises(OutputError) as exc:
        check_outputs(out, {})
    assert "(a.txt, b.txt, c.txt, d.txt, e.txt); the output folder" in str(exc.value)
    (out / "f.txt").write_text("f")   # six: the sixth is left out, and "..." says so
    with pytest.raises(OutputError) as exc:
        check_outputs(out, {})
    assert "(a.txt, b.txt, c.txt, d.txt, e.txt ...); the output folder" in str(exc.value)


def test_every_problem_with_the_output_paths_is_listed_at_once_word_for_word(tmp_path):
    # --out an existing file, --json an existing folder, --report under a file, --xlsx the very
    # file --html names (spelt another way): one refusal listing each problem once, the path
    # problems in the options' order and then the files named twice, each line whole; an
    # option not asked for (None) is no problem
    afile, adir = tmp_path / "afile", tmp_path / "adir"
    afile.write_text("x")
    adir.mkdir()
    html = tmp_path / "plan.html"
    same = tmp_path / "adir" / ".." / "plan.html"
    with pytest.raises(OutputError) as exc:
        check_outputs(afile, {"--json": adir, "--html": html, "--xlsx": same,
                              "--report": afile / "r.txt", "--none": None})
    assert exc.value.problems == [
        f"--out {str(afile)!r} is a file, not a folder",
        f"--json {str(adir)!r} is a folder; give a file name",
        f"--report {str(afile / 'r.txt')!r}: {afile} is a file, not a folder",
        f"--xlsx {str(same)!r} is the same file as --html"]


def test_writing_checks_the_paths_against_the_inputs_itself(tmp_path):
    # library use (a notebook) calls write_outputs without the command line's check before the
    # solve: it refuses an --out that is the case folder on its own, and writes nothing
    case = tmp_path / "case"
    shutil.copytree(Path("data/ntip-2019-phase2"), case)
    before = sorted((p.name, p.read_bytes()) for p in case.iterdir())
    with pytest.raises(OutputError) as exc:
        write_outputs(case, {"allocation.csv": "a\n"}, protected=[case])
    assert exc.value.problems == [
        f"--out {str(case)!r} is the case folder {case.resolve()}: it would overwrite the "
        "inputs plants.csv, uses.csv"]
    # and a single file over an input
    with pytest.raises(OutputError) as exc:
        write_outputs(None, {}, {"--json": (case / "uses.csv", "{}")}, protected=[case])
    assert exc.value.problems == [
        f"--json {str(case / 'uses.csv')!r} lies inside the case folder {case.resolve()}: it "
        "would overwrite the input uses.csv"]
    assert sorted((p.name, p.read_bytes()) for p in case.iterdir()) == before


def test_clean_up_of_a_temporary_folder_never_raises(tmp_path, monkeypatch):
    # removing the temporary siblings runs while a failure or a signal is being handled: an
    # error there (a file that cannot be unlinked) must not replace the error being reported
    tmp = tmp_path / ".out.wateralloc-x"
    tmp.mkdir()
    (tmp / "allocation.csv").write_text("a\n")

    def refuse(*args, **kwargs):
        raise PermissionError("not allowed")
    monkeypatch.setattr(os, "unlink", refuse)
    atomic.remove(tmp)          # no exception: the folder is left, nothing else happens
    monkeypatch.undo()
    assert (tmp / "allocation.csv").exists()
    atomic.remove(tmp)
    assert not tmp.exists()


def test_ctrl_c_while_the_output_is_written_names_that_stage(tmp_path, monkeypatch):
    # in process (library use too): a signal while the files are being written stops the run
    # with the stage named, and the new folder is not left behind
    import logging
    from model import interrupts
    from model.errors import Interrupted
    from model.results import output
    real = output._write_new

    def write_then_signal(path, content):
        real(path, content)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(output, "_write_new", write_then_signal)
    try:
        with interrupts.handled(), pytest.raises(Interrupted) as stop:
            write_outputs(tmp_path / "out", {"allocation.csv": "a\n", "summary.json": "{}"})
    finally:
        logging.disable(logging.NOTSET)   # a signal silences logging for the rest of a run
    assert stop.value.message == ("interrupted (SIGINT) during the writing of the output; no "
                                  "output was written")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_output_on_a_case_workbook_names_it_as_the_input_file(tmp_path):
    # a case given as one workbook is an input file, not a case folder: the refusals say which
    book = tmp_path / "campus.xlsx"
    book.write_bytes(b"PK")   # only its path matters here
    with pytest.raises(OutputError) as exc:
        check_outputs(tmp_path, {"--json": book}, protected=[book])
    assert exc.value.problems == [
        f"--out {str(tmp_path)!r} holds the input file {book.resolve()}; replacing it would "
        "delete the inputs",
        f"--json {str(book)!r} is the input file {book.resolve()}; inputs are never written"]


@pytest.mark.parametrize("failing", [2, 3])
def test_a_rename_that_fails_in_a_swap_without_exchange_keeps_the_old_output(
        failing, tmp_path, monkeypatch):
    # without an atomic exchange a swap is three renames (old output aside, new in place,
    # old to the temporary name); if the second or the third fails, the renames done are
    # undone: the old output is where it was, whole, and nothing is left beside it
    monkeypatch.setattr(atomic, "_RENAMEAT2", None)
    out = tmp_path / "out"
    write_outputs(out, {"allocation.csv": "old\n", "shortages.csv": "old\n"})
    real, calls = os.rename, []

    def rename(a, b):
        calls.append((Path(a).name, Path(b).name))
        if len(calls) == failing:
            raise OSError(errno.EIO, "injected", str(b))
        real(a, b)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(OSError, match="injected"):
        write_outputs(out, {"allocation.csv": "new\n"})
    monkeypatch.undo()
    assert calls[0][0] == "out" and calls[0][1].endswith(".old")   # the first put it aside
    assert names(out) == {"allocation.csv", "shortages.csv"}
    assert (out / "allocation.csv").read_text() == "old\n"
    assert siblings(out) == []


def test_the_folder_is_written_beside_the_target_under_a_hidden_name_of_its_own(
        tmp_path, monkeypatch):
    # while it is written, the new folder is a hidden sibling named after the target (on the
    # same file system, so the swap is a rename; recognisable as this tool's if a crash leaves it)
    from model.results import output
    seen: list[list[str]] = []
    monkeypatch.setattr(output.time, "sleep",
                        lambda s: seen.append(sorted(p.name for p in tmp_path.iterdir())))
    monkeypatch.setenv(output.WRITE_PAUSE_ENV, "0.1")
    write_outputs(tmp_path / "out", {"allocation.csv": "a\n"})
    assert len(seen) == 1 and len(seen[0]) == 1
    assert seen[0][0].startswith(".out.wateralloc-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_json_gets_plain_numbers_from_numpy_and_null_for_what_json_lacks():
    # numpy scalars (an int64 count, a float32 NaN, a bool) become Python's, and a NaN or an
    # infinity becomes null, at any depth: the result is valid JSON
    import numpy as np
    from model.results.output import json_safe
    value = {"trucks": np.int64(3), "share": np.float32("nan"), "flags": [np.bool_(True)],
             "nested": ({"inf": float("inf"), "x": np.float64(2.5)},)}
    safe = json_safe(value)
    assert safe == {"trucks": 3, "share": None, "flags": [True],
                    "nested": [{"inf": None, "x": 2.5}]}
    assert type(safe["trucks"]) is int and type(safe["flags"][0]) is bool
    assert json.loads(json.dumps(safe, allow_nan=False)) == safe
