"""`wateralloc convert SRC DEST`: a case folder to a case workbook (DEST ends in .xlsx), or a
case workbook to a case folder. The case is validated first (every problem listed, nothing
written); the converted case is read back and must be the same case before it is written."""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from model.case import load_case
from model.case.workbook import is_workbook
from model.cli.solve import case_folder
from model.errors import EXIT_OK, UsageError
from model.results.output import write_outputs


def add_parser(sub) -> argparse.ArgumentParser:
    convert = sub.add_parser(
        "convert", help="convert a case folder to a workbook (.xlsx) or a workbook to a folder")
    convert.add_argument("src", help="case folder, bundled case name, or case workbook (.xlsx)")
    convert.add_argument("dest", type=Path,
                         help="a .xlsx file (from a folder), or a new or empty folder "
                              "(from a workbook)")
    return convert


def converted(src: Path, dest: Path) -> dict[Path, str | bytes]:
    """The files that make up `dest` (path -> content): one workbook, or a folder's files."""
    # (openpyxl, which the conversion writes with, is loaded only when a command needs it)
    from model.case.convert import folder_files, workbook_bytes
    if is_workbook(src) == is_workbook(dest):
        raise UsageError("DEST", str(dest), "convert goes from a folder to a .xlsx workbook or "
                                            "from a workbook to a folder")
    if dest.resolve() == src.resolve():
        raise UsageError("DEST", str(dest), "is the case being converted")
    if is_workbook(dest):
        return {dest: workbook_bytes(src)}
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError("DEST", str(dest), "must be a new or empty folder, so that no file of "
                                            "another case is mixed in")
    return {dest / name: text for name, text in folder_files(src).items()}


def _write_plain(files: dict[Path, str | bytes]) -> None:
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def run(args: argparse.Namespace) -> int:
    src = case_folder(args.src)
    case = load_case(src)
    files = converted(src, args.dest)
    with tempfile.TemporaryDirectory() as tmp:  # read it back before writing it
        check = Path(tmp) / args.dest.name
        _write_plain({check / p.relative_to(args.dest) if p != args.dest else check: content
                      for p, content in files.items()})
        if load_case(check) != case:
            raise RuntimeError("the converted case differs from the original")
    if is_workbook(args.dest):  # one file, or a whole folder: all or nothing, never over src
        write_outputs(None, {}, {"DEST": (args.dest, files[args.dest])}, [src])
    else:
        write_outputs(args.dest, {p.name: c for p, c in files.items()}, None, [src])
    print(f"wrote {args.dest} from {src}")
    return EXIT_OK
