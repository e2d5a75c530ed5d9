"""The campus water as a Sankey diagram, its links computed from the result tables only.

Every link is a day-weighted flow over the horizon (m3/day; for a steady case, the day's flow),
so the diagram shows the same figures as the summary. Every link runs left to right: a node that
water passes through twice (a train treats what the plants returned and sends it back to them)
is drawn twice, as the place the water enters on the right and the place it leaves on the left:

    train s        "s intake" (feed in, reject out) and "s product" (product out)
    zone z pool    "zone z wastewater" (returned in; feed, basin, untreated out) and, where
                   plants reuse it untreated, "zone z direct reuse" (to plants)
    basin k        "tank k in" (from the pool; gained over the horizon) and "tank k out" (back
                   to the pool; drawn down over the horizon)

Nodes and what flows through them:

    tap, tanker k, other outside supply  ->  plant               allocation (g = 0)
    s product, recycled tank k           ->  plant, by generation allocation
    zone z direct reuse                  ->  plant               allocation (direct:<p>/<u>)
    plant  ->  zone z wastewater         return_fraction x supplied      uses
    plant  ->  consumed                  (1 - return_fraction) x supplied uses
    zone z wastewater  ->  s intake      feeds
    zone z wastewater  ->  tank k in; tank k out -> zone z wastewater    tank_levels (basins)
    zone z wastewater  ->  discharged    untreated: what the zone returns and nothing takes
    s product  ->  recycled tank k       tank_charges
    s intake   ->  discharged            reject = treated - product                  trains
    s product  ->  discharged            surplus = product - delivered - put into tanks
    stored at the start -> tank k        contents drawn down over the horizon
    tank k -> stored at the end          contents gained over the horizon

A node is known by its label. A plant is labelled with its name, unless another node has that
label (a plant named like a train, e.g. "K14", would otherwise be drawn as the train's intake,
and one named "consumed" as the sink): then it is "plant <name>" (`plant_labels`).

Where physics says so, what flows into a node flows out of it: plants, zone pools, trains and
tanks balance (a node drawn twice balances over its two halves: what its right half keeps, its
left half gives), and tap + tanker + drawdown = consumed + discharged + gain for the campus
(tests/test_report_html.py recomputes every link and these balances from the tables).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from model.results.collect import Results

FLOW_EPS = 1e-6  # m3/day: links smaller than this are not drawn
SINKS = ("consumed", "discharged", "stored at the end")
LINK_COLUMNS = ["source", "target", "m3_per_day", "kind", "generation"]
GENERATION_COLOURS = ["rgba(31,119,180,0.45)", "rgba(44,160,44,0.45)", "rgba(255,127,14,0.45)",
                      "rgba(148,103,189,0.45)", "rgba(140,86,75,0.45)", "rgba(227,119,194,0.45)",
                      "rgba(188,189,34,0.45)"]
KIND_COLOURS = {"tap": "rgba(31,119,180,0.55)", "tanker": "rgba(214,39,40,0.45)",
                "outside": "rgba(23,190,207,0.45)", "returned": "rgba(127,127,127,0.35)",
                "consumed": "rgba(188,189,34,0.35)", "feed": "rgba(127,127,127,0.45)",
                "untreated": "rgba(140,86,75,0.35)", "reject": "rgba(140,86,75,0.5)",
                "surplus product": "rgba(140,86,75,0.25)", "direct reuse": "rgba(255,187,120,0.6)",
                "to tank": "rgba(44,160,44,0.35)", "basin": "rgba(127,127,127,0.3)",
                "storage": "rgba(200,200,200,0.5)"}


@dataclass(frozen=True)
class Names:
    """The sources of the allocation table by kind, and each plant's node label."""

    trains: set[str]
    tanks: set[str]
    plants: dict[str, str]


def plant_labels(results: Results) -> dict[str, str]:
    """Each plant's node label: its name, or "plant <name>" when a node of another kind has
    that label (module docstring)."""
    zones = {str(z) for z in results.uses.zone}
    trains = set(results.trains.train)
    tanks = set() if results.tank_levels is None else set(results.tank_levels.tank)
    taken = {"tap water", "stored at the start", *SINKS}
    taken |= {f"zone {z} {what}" for z in zones for what in ("wastewater", "direct reuse")}
    taken |= {f"{t}{half}" for t in trains for half in ("", " intake", " product")}
    taken |= {f"tank {k}{half}" for k in tanks for half in ("", " in", " out")}
    sources = set(results.allocation.source)
    taken |= {f"tanker {s.split(':', 1)[1]}" for s in sources if s.startswith("tanker:")}
    # outside supplies are drawn under their source's name
    taken |= {s for s in sources - trains - tanks
              if s != "tap" and not s.startswith(("tanker:", "direct:"))}
    return {p: f"plant {p}" if p in taken else p for p in results.plants.plant}


def _weights(results: Results) -> pd.Series:
    """Each period's share of the horizon (days_t / total days)."""
    days = results.periods.set_index("period").days
    return days / days.sum()


def _weighted(df: pd.DataFrame, weights: pd.Series, column: str = "m3_per_day") -> pd.Series:
    # (as floats: an empty table, e.g. every demand 0, maps to empty strings)
    return df[column] * df.period.map(weights).astype(float)


def _supply_links(results: Results, names: Names, w: pd.Series) -> list[tuple]:
    a = results.allocation.assign(flow=lambda d: _weighted(d, w))
    # a direct-reuse source names its use as `direct:<plant>/<use>`; plant and use names may
    # hold '/', so the source is looked up whole, not split
    zone_of = {f"direct:{u.plant}/{u.use}": u.zone
               for u in results.uses.drop_duplicates(["plant", "use"]).itertuples()}
    links = []
    for (source, plant, zone, g), flow in a.groupby(
            ["source", "plant", "zone", "generation"], sort=False).flow.sum().items():
        node = names.plants[plant]
        if source == "tap":
            links.append(("tap water", node, flow, "tap", None))
        elif source.startswith("tanker:"):
            links.append((f"tanker {source.split(':', 1)[1]}", node, flow, "tanker", None))
        elif source.startswith("direct:"):
            links.append((f"zone {zone_of[source]} wastewater", node, flow, "direct reuse",
                          int(g)))
        elif source in names.trains or source in names.tanks:
            label = source if source in names.trains else f"tank {source}"
            links.append((label, node, flow, "recycled", int(g)))
        else:  # outside supply of a kind the tables do not know yet
            links.append((source, node, flow, "outside", int(g)))
    return links


def _use_links(results: Results, names: Names, w: pd.Series) -> list[tuple]:
    u = results.uses.assign(supplied=lambda d: _weighted(d, w, "supplied_m3_per_day"))
    u = u.assign(returned=u.supplied * u.return_fraction, consumed=u.supplied * (
        1 - u.return_fraction))
    by_plant = u.groupby(["plant", "zone"], sort=False)[["returned", "consumed"]].sum()
    links = []
    for (plant, zone), r in by_plant.iterrows():
        node = names.plants[plant]
        links.append((node, f"zone {zone} wastewater", r.returned, "returned", None))
        links.append((node, "consumed", r.consumed, "consumed", None))
    return links


def _treatment_links(results: Results, names: Names, w: pd.Series) -> list[tuple]:
    links = []
    feeds = results.feeds.assign(flow=lambda d: _weighted(d, w))
    for (zone, train), flow in feeds.groupby(["zone", "train"], sort=False).flow.sum().items():
        links.append((f"zone {zone} wastewater", train, flow, "feed", None))
    charges = results.tank_charges
    to_tanks = pd.Series(0.0, index=sorted(names.trains))
    if charges is not None:
        c = charges.assign(flow=lambda d: _weighted(d, w))
        for (train, tank, g), flow in c.groupby(["train", "tank", "generation"]).flow.sum().items():
            links.append((train, f"tank {tank}", flow, "to tank", int(g)))
            to_tanks[train] += flow
    t = results.trains.assign(
        treated=lambda d: _weighted(d, w, "treated_m3_per_day"),
        product=lambda d: _weighted(d, w, "product_m3_per_day"),
        delivered=lambda d: _weighted(d, w, "delivered_m3_per_day"))
    for train, r in t.groupby("train", sort=False)[["treated", "product", "delivered"]].sum(
            ).iterrows():
        links.append((train, "discharged", r.treated - r["product"], "reject", None))
        links.append((train, "discharged", r["product"] - r.delivered - to_tanks[train],
                      "surplus product", None))
    return links


def _storage_links(results: Results, w: pd.Series) -> list[tuple]:
    levels = results.tank_levels
    if levels is None:
        return []
    links = []
    days = results.periods.days.sum()
    for tank, rows in levels.groupby("tank", sort=False):
        node, first = f"tank {tank}", rows.iloc[0]
        if first.holds == "wastewater":
            pool = f"zone {first.zone} wastewater"
            links.append((pool, node, float(_weighted(rows, w, "charge_m3_per_day").sum()),
                          "basin", None))
            links.append((node, pool, float(_weighted(rows, w, "discharge_m3_per_day").sum()),
                          "basin", None))
        gain = (rows.end_level_m3.iloc[-1] - first.initial_m3) / days
        if gain > 0:
            links.append((node, "stored at the end", gain, "storage", None))
        else:
            links.append(("stored at the start", node, -gain, "storage", None))
    return links


def sankey_links(results: Results) -> pd.DataFrame:
    """Every link of the diagram (m3/day over the horizon), zone pools' untreated discharge
    being what each pool receives and nothing takes."""
    w = _weights(results)
    names = Names(set(results.trains.train),
                  set() if results.tank_levels is None else set(results.tank_levels.tank),
                  plant_labels(results))
    links = (_supply_links(results, names, w) + _use_links(results, names, w)
             + _treatment_links(results, names, w) + _storage_links(results, w))
    df = pd.DataFrame(links, columns=LINK_COLUMNS)
    pools = {n for n in df.target if n.endswith(" wastewater")}
    untreated = [(pool, "discharged",
                  df[df.target == pool].m3_per_day.sum() - df[df.source == pool].m3_per_day.sum(),
                  "untreated", None) for pool in sorted(pools)]
    df = pd.concat([df, pd.DataFrame(untreated, columns=LINK_COLUMNS)], ignore_index=True)
    return _left_to_right(df, names, results)


def _left_to_right(df: pd.DataFrame, names: Names, results: Results) -> pd.DataFrame:
    """Draw trains, basins and the pools reused untreated twice (see the module's docstring),
    so that no link runs back across the picture."""
    levels = results.tank_levels
    basins = set() if levels is None else {
        f"tank {k}" for k in levels[levels.holds == "wastewater"].tank}

    def source(node: str, kind: str) -> str:
        if node in names.trains:
            return f"{node} intake" if kind == "reject" else f"{node} product"
        if kind == "direct reuse":
            return node.removesuffix(" wastewater") + " direct reuse"
        if node in basins:
            return f"{node} in" if kind == "storage" else f"{node} out"
        return node

    def target(node: str, kind: str) -> str:
        if node in names.trains:
            return f"{node} intake"
        if node in basins:
            return f"{node} out" if kind == "storage" else f"{node} in"
        return node
    return df.assign(source=[source(n, k) for n, k in zip(df.source, df.kind)],
                     target=[target(n, k) for n, k in zip(df.target, df.kind)])


def _colour(kind: str, generation) -> str:
    if kind == "recycled" and generation is not None and not pd.isna(generation):
        return GENERATION_COLOURS[(int(generation) - 1) % len(GENERATION_COLOURS)]
    return KIND_COLOURS.get(kind, "rgba(127,127,127,0.4)")


def sankey_figure(results: Results, title: str = "Campus water (m3/day)") -> go.Figure:
    """The diagram: hover on a link gives its flow in m3/day, its kind and generation."""
    links = sankey_links(results)
    links = links[links.m3_per_day > FLOW_EPS]
    nodes = list(dict.fromkeys(list(links.source) + list(links.target)))
    index = {n: i for i, n in enumerate(nodes)}
    labels = [("" if pd.isna(g) else f"generation {int(g)} ") + k
              for k, g in zip(links.kind, links.generation)]
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=nodes, pad=14, thickness=14,
                  hovertemplate="%{label}<br>%{value:,.1f} m3/day<extra></extra>"),
        link=dict(source=[index[s] for s in links.source],
                  target=[index[t] for t in links.target],
                  value=list(links.m3_per_day), customdata=labels,
                  color=[_colour(k, g) for k, g in zip(links.kind, links.generation)],
                  hovertemplate="%{source.label} → %{target.label}<br>%{customdata}<br>"
                                "%{value:,.1f} m3/day<extra></extra>")))
    figure.update_layout(title=title, height=max(420, 26 * len(nodes)),
                         margin=dict(l=10, r=10, t=40, b=10), font=dict(size=12))
    return figure
