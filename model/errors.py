"""The project's own error types, and the exit code each one maps to.

Every failure a user can meet is one of these. The CLI catches them and prints their message;
a traceback is never what a user sees.

| exit code | error            | meaning                                                     |
|-----------|------------------|-------------------------------------------------------------|
| 0         | (none)           | every solve finished optimal                                |
| 2         | CaseError,       | invalid input: files, columns, values, or command-line use |
|           | UsageError       |                                                             |
| 3         | InfeasibleError  | the case has no feasible plan (for example a tap cap below  |
|           |                  | the minimum tap draw); the message gives the numbers        |
| 4         | SolverError      | the solver stopped without proving optimality               |
| 130       | Interrupted      | Ctrl-C (SIGINT): the run stopped, no output was written     |
| 143       | Interrupted      | SIGTERM: the same                                           |
| 1         | (any other)      | an internal error: a bug                                    |

130 and 143 follow the shell's convention, 128 + the signal's number. An interrupted run writes
nothing: output is only put in place once complete (model.results.output).
"""
from __future__ import annotations

import signal
from dataclasses import dataclass

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_INFEASIBLE = 3
EXIT_SOLVER = 4
EXIT_INTERNAL = 1
EXIT_SIGINT = 128 + signal.SIGINT    # 130
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143


class WaterallocError(Exception):
    """Base of every error the tool reports to a user."""

    exit_code = EXIT_SOLVER


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case: where it is, what was found and which rule it breaks.

    `row` is the line number in the file as an editor shows it (the header is line 1).
    `column` names a CSV column, or, with `kind = "key"`, a TOML key (dotted: `tap.cap`).
    In a case workbook (`file` is the workbook), `sheet` names the sheet, `row` is the row as
    Excel shows it and `letter` the column's letter (model.case.workbook).
    """

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: object = None
    kind: str = "column"
    sheet: str | None = None
    letter: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f", sheet '{self.sheet}'"
        if self.row is not None:
            where += f", {'line' if self.sheet is None else 'row'} {self.row}"
        if self.letter is not None:
            where += f", column {self.letter}"
        if self.column is not None:
            where += f"{'' if self.letter and self.kind == 'column' else ', ' + self.kind}" \
                     f" '{self.column}'"
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{where}{value}: {self.rule}"


class CaseError(WaterallocError):
    """The case folder is invalid. Carries every problem found, not just the first."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid case: {n} problem{'s' if n != 1 else ''}\n{lines}")


class UsageError(WaterallocError):
    """A command-line option that cannot apply to this case (e.g. an unknown drought stage)."""

    exit_code = EXIT_INVALID

    def __init__(self, option: str, value: object, rule: str):
        super().__init__(f"invalid option {option} {value!r}: {rule}")


class InfeasibleError(WaterallocError):
    """No plan satisfies the constraints. The message says why, with numbers where known."""

    exit_code = EXIT_INFEASIBLE


class SolverError(WaterallocError):
    """The solver stopped without an optimal solution (time limit, numerical trouble, ...)."""

    exit_code = EXIT_SOLVER


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM arrived. A KeyboardInterrupt, so that code catching Exception
    does not swallow it; the exit code is 128 + the signal's number."""

    def __init__(self, signum: int = signal.SIGINT, where: str | None = None):
        self.signum = int(signum)
        self.exit_code = 128 + self.signum
        self.where = where
        super().__init__(self.message)

    @property
    def message(self) -> str:
        name = signal.Signals(self.signum).name
        during = f" during {self.where}" if self.where else ""
        return f"interrupted ({name}){during}; no output was written"
