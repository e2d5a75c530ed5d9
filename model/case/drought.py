"""Read the optional drought-rationing files of a case: stages.csv, curtailment.csv and
rationing.toml.

stages.csv replaces the Taiwan Water Corporation stage table (`TWC_STAGES`: the cut fraction of
each alert stage). Rationing is enabled by rationing.toml or by a `stage` column in periods.csv;
curtailment.csv gives each use a priority class (1 is cut last) and the value lost per m3 not
supplied.
"""
from __future__ import annotations

from model.case.core import Core
from model.case.objects import TWC_STAGES, Rationing
from model.case.periods import Timeline
from model.case.rows import CurtailmentRow, RationingSettings, StageRow
from model.case.tables import CaseFolder, Namespace


def read_stages(folder: CaseFolder) -> dict[str, float]:
    """Stage -> cut fraction, from stages.csv or the TWC table; defines the stage names."""
    table = folder.table(StageRow)
    if not table.present:
        stages = dict(TWC_STAGES)
        folder.names["stage"] = Namespace.fixed(stages, _unknown_stage(stages))
        return stages
    stages = {r.stage: r.cut for _, r in table.rows}
    folder.names["stage"] = Namespace.of(table, ("stage",), _unknown_stage(stages))
    return stages


def _unknown_stage(stages: dict[str, float]) -> str:
    return f"stage is not in the stage table ({', '.join(stages) or 'stages.csv lists none'})"


def read_rationing(folder: CaseFolder, core: Core, stages: dict[str, float],
                   timeline: Timeline) -> Rationing | None:
    """The rationing settings, or None when the case has no stage, priority or rationing.toml."""
    table = folder.table(CurtailmentRow)
    priority = {(r.plant, r.use): r.priority for _, r in table.rows}
    lost_value = {(r.plant, r.use): r.lost_value_per_m3 for _, r in table.rows
                  if r.lost_value_per_m3 is not None}
    settings = folder.settings(RationingSettings)
    if settings is not None and settings.price_shortage and (table.usable or not table.present):
        # a use in a rejected row is reported already
        skip = set(lost_value) | table.rejected_names(CurtailmentRow.KEY)
        missing = [f"{u.plant}/{u.use}" for u in core.uses if u.key not in skip]
        if missing:
            folder.problems.add(
                table.file, "price_shortage = true needs lost_value_per_m3 for every use; "
                f"missing for {', '.join(missing[:5])}"
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                None, "lost_value_per_m3")
    schedule = timeline.stage_by_period
    if not (folder.has(StageRow.FILE) or schedule or priority or settings is not None):
        return None
    s = settings or RationingSettings()
    return Rationing(
        enabled=settings is not None or bool(schedule),
        stages=stages, stage_by_period=dict(schedule), cut_all=s.cut,
        cut_label=None if s.cut is None else f"cut {s.cut:g}",
        baseline_m3_per_day=s.baseline_m3_per_day,
        baseline_source="given" if s.baseline_m3_per_day is not None else "computed",
        fair_share=s.fair_share, price_shortage=s.price_shortage,
        priority=priority, lost_value_per_m3=lost_value)
