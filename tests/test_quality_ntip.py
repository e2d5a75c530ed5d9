"""The NTIP default cases carry a quality layer that leaves the calibrated plan unchanged."""
import dataclasses

import pytest

from model import load_case, plan
from model.bundled import bundled_case


@pytest.mark.parametrize("name", ["ntip-2015-phase1", "ntip-2019-phase2"])
def test_quality_layer_does_not_change_the_plan(name):
    case = load_case(bundled_case(name))
    assert case.quality is not None and set(case.quality.contaminants) == {"TDS", "fluoride"}
    with_q = plan(case).summary
    without = plan(dataclasses.replace(case, quality=None)).summary
    # every limit is >= tap and K14 product is cleaner than tap: nothing can bind
    assert with_q.quality.binding_quality_limits == []
    assert with_q.tap_m3_per_day == pytest.approx(without.tap_m3_per_day, rel=1e-9)


def test_calibration_still_holds():
    # published: Phase 2 one-third tap, "every drop used at least 3 times" (ranges of issue 2);
    # Phase 1 about 5,000-6,000 m3/day recycled (1 Mt from end April to 23 Oct 2015)
    p2 = plan(load_case(bundled_case("ntip-2019-phase2"))).summary
    assert 0.30 <= p2.tap_share <= 0.36
    assert 2.8 <= p2.uses_per_drop <= 3.3
    p1 = plan(load_case(bundled_case("ntip-2015-phase1"))).summary
    assert 5000 <= p1.recycled_m3_per_day <= 6000
