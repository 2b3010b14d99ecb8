"""Node health (``node-health-strategy``), as Pacemaker 2.1.5 applies it.

Health attributes are node attributes whose name starts with ``#health`` (usually set by
health agents): ``red``, ``yellow``, ``green`` or a score.  A node's health is the sum of
its attributes' scores, the colours counting as ``node-health-red``/``-yellow``/``-green``:

* ``none`` (default): health is ignored;
* ``migrate-on-red``: red is -INFINITY, yellow and green 0 (resources leave red nodes);
* ``only-green``: red and yellow are -INFINITY;
* ``progressive``: the configured scores, starting from ``node-health-base``;
* ``custom``: the configured scores are only used by the administrator's own rules.

Except with ``custom``, a node whose health is not 0 gets it as a location score for every
resource (``--show-scores`` names it "health"), but a negative one spares resources with
``allow-unhealthy-nodes=true``.  crm_mon shows a node's colour: "health is RED" when an
attribute is red (or a score at most the red score), "YELLOW" when one is yellow.
"""

from __future__ import annotations

from cib.scores import SCORE_MINUS_INF, add_scores
from pycrm.scheduler.build import is_true, score_of
from pycrm.scheduler.state import Location, WNode, World

STRATEGIES = ("migrate-on-red", "only-green", "progressive", "custom")


def _colour_scores(world: World, strategy: str) -> tuple[int, int, int]:
    """(red, yellow, green) scores of a strategy."""
    if strategy == "migrate-on-red":
        return SCORE_MINUS_INF, 0, 0
    if strategy == "only-green":
        return SCORE_MINUS_INF, SCORE_MINUS_INF, 0
    options = world.options
    return (
        score_of(options.get("node-health-red"), SCORE_MINUS_INF),
        score_of(options.get("node-health-yellow"), 0),
        score_of(options.get("node-health-green"), 0),
    )


def _value(text: str, colours: tuple[int, int, int]) -> int:
    word = text.strip().lower()
    if word == "red":
        return colours[0]
    if word == "yellow":
        return colours[1]
    if word == "green":
        return colours[2]
    return score_of(text)


def _colour(node: WNode, colours: tuple[int, int, int]) -> str:
    red, yellow, green = colours
    colour = ""
    for name, value in node.attrs.items():
        if not name.startswith("#health"):
            continue
        word = value.strip().lower()
        if word == "red":
            return "RED"
        if word == "yellow":
            colour = "YELLOW"
            continue
        score = score_of(value)
        if score <= red:
            return "RED"
        if score <= yellow and yellow != green:
            colour = "YELLOW"
    return colour


def apply_node_health(world: World) -> None:
    """Set each node's health colour and add the health locations."""
    strategy = world.options.get("node-health-strategy", "none").strip().lower()
    if strategy not in STRATEGIES:
        return
    colours = _colour_scores(world, strategy)
    base = score_of(world.options.get("node-health-base")) if strategy == "progressive" else 0
    for name in world.node_order:
        node = world.nodes[name]
        node.health = _colour(node, colours)
        if strategy == "custom":
            continue
        health = base
        for attr, value in node.attrs.items():
            if attr.startswith("#health"):
                health = add_scores(_value(value, colours), health)
        if health == 0:
            continue
        for rsc in world.resources:
            if health < 0 and is_true(rsc.meta.get("allow-unhealthy-nodes")):
                continue
            loc = Location(f"node health ({strategy})", rsc, 0, {name: health}, kind="health")
            world.locations.append(loc)
            rsc.locations.append(loc)
