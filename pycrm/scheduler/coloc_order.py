"""The order in which a resource's colocations are considered (Pacemaker 2.1.5).

Each resource keeps its "this with" list (it is the dependent) sorted by the *primary* and
its "with this" list (it is the primary) sorted by the *dependent*: higher priority first,
then higher variant (clone > group > primitive), then promotable clones before other clones,
then the lower resource id (byte order).  A new colocation goes before the first entry it does
not sort after (glib's ``g_list_insert_sorted``), so equal keys keep the newest first.
"""

from __future__ import annotations

from pycrm.scheduler.state import Coloc, WRsc

_VARIANT_RANK = {"primitive": 0, "group": 1, "clone": 2}


def _key(rsc: WRsc) -> tuple[int, int, int, bytes]:
    promotable = rsc.variant == "clone" and rsc.promotable
    return (
        -rsc.priority,
        -_VARIANT_RANK.get(rsc.variant, 0),
        0 if promotable else 1,
        rsc.id.encode(),
    )


def _insert_sorted(items: list[Coloc], coloc: Coloc, by_primary: bool) -> None:
    def key(c: Coloc) -> tuple[int, int, int, bytes]:
        return _key(c.primary if by_primary else c.dependent)

    new = key(coloc)
    for index, existing in enumerate(items):
        if new <= key(existing):
            items.insert(index, coloc)
            return
    items.append(coloc)


def add_this_with(rsc: WRsc, coloc: Coloc) -> None:
    """Add ``coloc`` (``rsc`` is its dependent) to ``rsc``'s sorted "this with" list."""
    _insert_sorted(rsc.this_with, coloc, by_primary=True)


def add_with_this(rsc: WRsc, coloc: Coloc) -> None:
    """Add ``coloc`` (``rsc`` is its primary) to ``rsc``'s sorted "with this" list."""
    _insert_sorted(rsc.with_this, coloc, by_primary=False)
