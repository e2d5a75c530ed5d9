"""The layout keeps its shape: no import circle, each stage of the pipeline imports only from the
stages before it, no module over 400 lines, no function over 80 lines, and the formulation's
documents are generated from its docstrings. Each failure names the offending modules or
functions."""
from __future__ import annotations

import ast
from pathlib import Path

from model.formulation import docs

PACKAGE = Path(__file__).resolve().parents[1] / "model"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
# The pipeline, in order; a module may import from its own stage and the stages before it.
# `base` holds what every stage may use (errors, progress lines, the bundled cases); `api` is
# the package's front door (`model/__init__.py`, `python -m model`), which may use everything.
# `app` is the what-if page, which re-plans through studies and is started from the cli.
STAGES = ["base", "case", "formulation", "solve", "results", "studies", "app", "cli", "api"]
BASE = {"model.errors", "model.progress", "model.bundled", "model.interrupts"}
API = {"model", "model.__main__"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module of the package that `name` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "model"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "model":
            for a in node.names:  # `from model.x import y` imports model.x.y if that is a module
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in MODULES else node.module)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _stage(module: str) -> int:
    if module in BASE:
        return STAGES.index("base")
    if module in API:
        return STAGES.index("api")
    return STAGES.index(module.split(".")[1])


def test_every_module_belongs_to_a_stage():
    unknown = [m for m in MODULES
               if m not in BASE | API and m.split(".")[1] not in STAGES]
    assert not unknown, f"modules outside the pipeline's stages {STAGES}: {unknown}"


def test_no_import_circle():
    circles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(GRAPH[module]):
            if state.get(target) == "open":
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_stages_import_only_from_earlier_stages():
    backwards = [f"{a} imports {b}" for a, targets in GRAPH.items() for b in sorted(targets)
                 if _stage(b) > _stage(a)]
    assert not backwards, "imports against the pipeline's direction:\n" + "\n".join(backwards)


def test_modules_are_small():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_functions_are_short():
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name} ({n} lines)")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_checks_see_a_planted_circle_and_a_long_function(tmp_path):
    # The checks above would pass vacuously if the walk found nothing: show that it finds the
    # package's real imports and functions, and that a circle is reported.
    assert "model.formulation.build" in GRAPH["model.formulation"]
    assert "model.case" in GRAPH["model.formulation.sets"]
    planted = tmp_path / "planted.py"
    planted.write_text("import model.cli\n\ndef f():\n" + "    x = 1\n" * 90)
    assert _imports("model.case.objects", planted) == {"model.cli"}
    assert _stage("model.cli") > _stage("model.case.objects")
    tree = ast.parse(planted.read_text())
    (func,) = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    assert func.end_lineno - func.lineno + 1 > MAX_FUNCTION_LINES


def test_formulation_documents_are_generated_from_the_docstrings():
    # docs/formulation.md and the README's formulation block are rendered from the add_*
    # docstrings; regenerate them with `python -m model.formulation.docs --write`.
    assert docs.main([]) == 0, "run: python -m model.formulation.docs --write"
    names = [f.__name__ for f in docs.families()]
    assert names[:2] == ["add_sets", "add_flows"] and "add_even_sharing" in names
    assert "sum_{z,g} feed_m3_per_day[s, z, g, t] <= capacity_m3_per_day[s, t]" \
        in docs.readme_block()
