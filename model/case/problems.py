"""What the reader says when a file breaks a rule: pydantic's errors in the words of the case
format, and the list that collects every problem of a case folder.

A schema error becomes a rule a plant engineer can act on ("must be in (0, 1]", "must be a
number", "unknown key; expected keys ..."), with the whole allowed range taken from the schema,
so that a value missing one bound is told both.
"""
from __future__ import annotations

import typing

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from model.errors import Problem


class Problems(list[Problem]):
    """Every problem found so far; reading goes on after each one, so all are reported at once."""

    def add(self, file: str, rule: str, line: int | None = None, column: str | None = None,
            value: object = None, kind: str = "column") -> None:
        self.append(Problem(file, rule, line, column, value, kind))


# pydantic error types -> the rule broken, in the words of the case format. Bounds are filled in
# from the schema so that the message gives the whole allowed range, not only the bound missed.
_RULES = {
    "missing": "is required",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number (not NaN or infinity)",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number (an integer, not text, a decimal or true/false)",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_too_short": "must not be blank",
    "string_type": "must be text",
    "model_type": "must be a table",
    "dict_type": "must be a table",
}
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _field(schema: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """The schema field an error location points at, following nested tables (`tap.cap`)."""
    field = None
    for part in loc:
        fields = getattr(schema, "model_fields", None)
        if not isinstance(part, str) or fields is None or part not in fields:
            return None
        field = fields[part]
        schema = field.annotation
    return field


def _constraints(field: FieldInfo) -> list:
    """The constraints of a field (annotated_types Ge(ge=0), ...), also those of an optional
    field, which keeps them inside `Optional[Annotated[float, ...]]`."""
    found = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        for item in getattr(arg, "__metadata__", ()):
            found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return found


def _allowed_range(field: FieldInfo | None, error: dict) -> str | None:
    """The allowed values of a bounded number as an interval, e.g. "in (0, 1]" or ">= 0".

    The bounds come from the schema field, so that a value missing one bound is told both;
    failing that, from the error's own context (the bound missed).
    """
    bounds: dict[str, float] = {}
    for c in _constraints(field) if field is not None else ():
        bounds.update({k: getattr(c, k) for k in ("ge", "gt", "le", "lt")
                       if getattr(c, k, None) is not None})
    if not bounds:
        bounds = {k: v for k, v in error.get("ctx", {}).items() if k in ("ge", "gt", "le", "lt")}
    low = (f"[{bounds['ge']:g}" if "ge" in bounds
           else f"({bounds['gt']:g}" if "gt" in bounds else "")
    high = (f"{bounds['le']:g}]" if "le" in bounds
            else f"{bounds['lt']:g})" if "lt" in bounds else "")
    if low and high:
        return f"in {low}, {high}"
    if low:
        return {"[": ">= ", "(": "> "}[low[0]] + low[1:]
    if high:
        return {"]": "<= ", ")": "< "}[high[-1]] + high[:-1]
    return None


def _rule(schema: type[BaseModel], error: dict, kind: str) -> str:
    what = error["type"]
    loc = error["loc"]
    if what == "extra_forbidden":
        parent = _field(schema, loc[:-1]) if len(loc) > 1 else None
        owner = parent.annotation if parent is not None else schema
        return f"unknown {kind}; expected {kind}s {', '.join(owner.model_fields)}"
    if what in _RANGE_ERRORS:
        allowed = _allowed_range(_field(schema, loc), error)
        if allowed:
            return f"must be {allowed}"
    if what == "too_short" and len(loc) == 1 and loc[0] in getattr(schema, "LISTS", {}):
        return f"names no {schema.LISTS[loc[0]]}"  # a `;`-list with nothing in it
    if what == "value_error":
        return str(error["ctx"]["error"])  # a schema validator states its rule in these words
    return _RULES.get(what, error["msg"])


def explain(schema: type[BaseModel], error: dict, kind: str) -> tuple[str | None, str, object]:
    """(column or dotted key, rule broken, value given) of one pydantic error.

    `kind` is what a field is called in this file: "column" (CSV) or "key" (TOML).
    """
    field = ".".join(str(part) for part in error["loc"]) or None
    value = error.get("input") if error["type"] != "missing" else None
    return field, _rule(schema, error, kind), value
