"""Group placement: members are placed in order; the group's own colocations act through
its first member (as dependent) and its last member (as primary), merged into the member's
sorted lists when the group is placed (coloc_order), and each member is
colocated (INFINITY) with the previous one, so the stickiness and failures of all members
add up when the first member is placed.
"""

from __future__ import annotations

from pycrm.scheduler.coloc_order import add_this_with, add_with_this
from pycrm.scheduler.placement import assign
from pycrm.scheduler.state import World, WRsc


def assign_group(world: World, group: WRsc, prefer: str | None) -> str | None:
    if not group.provisional:
        return group.assigned
    if group.allocating or not group.children:
        group.provisional = False
        return None
    group.allocating = True
    first, last = group.children[0], group.children[-1]
    for coloc in group.this_with:
        add_this_with(first, coloc)
    group.this_with = []
    for coloc in group.with_this:
        add_with_this(last, coloc)
    group.with_this = []
    first_node: str | None = None
    for index, member in enumerate(group.children):
        node = assign(world, member, prefer)
        if index == 0:
            first_node = node
    group.assigned = first_node
    group.provisional = False
    group.allocating = False
    return first_node
