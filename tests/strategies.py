"""Hypothesis strategies: small random but valid cases."""
from __future__ import annotations

from hypothesis import strategies as st

from tests.factory import make_case

demand = st.floats(min_value=1.0, max_value=5000.0, allow_nan=False)
fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
recovery = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)


@st.composite
def cases(draw, max_uses=6, max_trains=3):
    K = draw(st.integers(0, 4))
    zones = [str(z) for z in range(1, draw(st.integers(1, 3)) + 1)]
    n_uses = draw(st.integers(1, max_uses))
    uses = []
    for i in range(n_uses):
        zone = draw(st.sampled_from(zones))
        k = draw(st.one_of(st.none(), st.integers(0, 5)))
        uses.append((f"P{zone}-{i % 2}", f"use{i}", zone, draw(demand), draw(fraction), k))
    # a plant lies in one zone: plant names carry the zone
    trains = []
    for j in range(draw(st.integers(0, max_trains))):
        served = draw(st.lists(st.sampled_from(zones), min_size=1, max_size=len(zones),
                               unique=True))
        capacity = draw(st.floats(min_value=0.0, max_value=20000.0, allow_nan=False))
        trains.append((f"T{j}", capacity, draw(recovery), tuple(served),
                       draw(st.floats(min_value=0.0, max_value=50.0, allow_nan=False))))
    return make_case(uses, trains, max_recycles=K)
