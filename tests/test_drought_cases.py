"""The shipped drought and history cases: real stage dates, published cumulative savings."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from model import load_case, plan
from model.bundled import bundled_case


def cumulative_recycled_m3(periods: pd.DataFrame, until: date) -> float:
    """Recycled water delivered from the first period to the end of day `until`, counting the
    part of a period up to that day at the period's daily rate."""
    total = 0.0
    for row in periods.itertuples():
        start = date.fromisoformat(row.start)
        days = min(row.days, max(0, (until - start).days + 1))
        total += row.recycled_m3_per_day * days
    return total


@pytest.fixture(scope="module")
def history():
    return plan(load_case(bundled_case("ntip-history-2015-2021")))


def test_history_reproduces_one_million_tonnes_by_late_october_2015(history):
    got = cumulative_recycled_m3(history.periods, date(2015, 10, 23))
    # published: 1 million t cumulative by 23 Oct 2015 (dailymanagementreview.com), +-15%
    assert got == pytest.approx(1.0e6, rel=0.15)


def test_history_reproduces_twenty_million_tonnes_by_10_may_2021(history):
    got = cumulative_recycled_m3(history.periods, date(2021, 5, 10))
    # published: 20 million t by 10 May 2021 (ASE press release), +-10%
    assert got == pytest.approx(20.0e6, rel=0.10)


def test_history_runs_monthly_from_2015_01_to_2021_05_without_gaps(history):
    periods = history.periods
    assert periods.period.iloc[0] == "2015-01" and periods.period.iloc[-1] == "2021-05"
    assert len(periods) == 6 * 12 + 5
    first = date.fromisoformat(periods.start.iloc[0])
    last_end = date.fromisoformat(periods.start.iloc[-1]) + timedelta(days=int(periods.days.iloc[-1]))
    assert (last_end - first).days == periods.days.sum()
    # nothing is recycled before K14's full operation (end of April 2015)
    assert periods[periods.start < "2015-05-01"].recycled_m3.sum() == 0.0


def stage_days(case_name: str) -> dict[str, tuple[str, str]]:
    """First and last day of each stage in a case's schedule."""
    case = load_case(bundled_case(case_name))
    spans: dict[str, list[date]] = {}
    for p in case.periods:
        start = case.by_period.starts[p.name]
        stage = case.rationing.stage_by_period[p.name]
        end = start + timedelta(days=int(p.days) - 1)
        span = spans.setdefault(stage, [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
    return {s: (a.isoformat(), b.isoformat()) for s, (a, b) in spans.items()}


def test_2021_schedule_has_the_published_yellow_dates():
    # yellow 2021-02-25, all lifted 2021-06-07 (Crisis24; data/kaohsiung-2021-drought/README.md)
    assert stage_days("kaohsiung-2021-drought")["yellow"] == ("2021-02-25", "2021-06-06")


def test_2023_schedules_have_the_published_dates():
    # yellow 2023-03-08, orange from 2023-03-29, normal 2023-07-31 (txtreport 2023-03-29;
    # data/kaohsiung-2023-drought/README.md)
    for name in ("kaohsiung-2023-drought", "kaohsiung-2023-drought-stress"):
        days = stage_days(name)
        assert days["yellow"] == ("2023-03-08", "2023-03-28")
        assert days["orange"] == ("2023-03-29", "2023-07-30")


@pytest.mark.parametrize("name,orange", [("kaohsiung-2021-drought", None),
                                         ("kaohsiung-2023-drought", 0.10),
                                         ("kaohsiung-2023-drought-stress", 0.20)])
def test_drought_cases_keep_tap_under_the_rationed_cap(name, orange):
    r = plan(load_case(bundled_case(name)))
    periods = r.periods
    baseline = r.summary.rationing.baseline_m3_per_day
    # a cut period is capped at (1 - cut) x baseline; a period that cuts nothing (blue) is not
    # capped at all, so that normal periods may draw above the day-weighted baseline
    cut = periods.cut.fillna(0.0)
    rationed = periods[cut > 0]
    assert list(rationed.tap_cap_m3_per_day) == pytest.approx(
        list((1 - cut[cut > 0]) * baseline), rel=1e-12)
    assert periods[cut == 0].tap_cap_m3_per_day.isna().all()
    assert (rationed.tap_m3_per_day <= rationed.tap_cap_m3_per_day * (1 + 1e-9)).all()
    assert len(rationed) > 0
    if orange is not None:
        assert set(periods[periods.stage == "orange"].cut) == {orange}
