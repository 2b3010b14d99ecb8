"""Apply name/value sets in Pacemaker order.

Sets are sorted by ``score`` (highest first; a missing score is 0); among equal scores the set
that comes LATER in the document goes first (Pacemaker 2.1.5 prepends sets to a list before a
stable sort -- checked with crm_simulate/crm_verify for meta attributes and cluster options);
the ``always_first`` id (``cib-bootstrap-options`` for crm_config) precedes everything.  Sets
whose rule fails are skipped, and the first set that names an attribute wins (inside one set
the first nvpair wins).  The value ``#default`` means "leave it to the next set / the
default" and is skipped.

To layer sources (a resource's own meta attributes, then its parent's, then rsc_defaults),
call :func:`resolve` repeatedly with the same ``into`` dict, most specific source first.
"""

from __future__ import annotations

from collections.abc import Iterable

from cib.model import NvSet
from cib.rules import RuleContext, evaluate

DEFAULT_MARKER = "#default"


def ordered(sets: Iterable[NvSet], always_first: str | None = None) -> list[NvSet]:
    """Sets in the order Pacemaker applies them."""
    indexed = list(enumerate(sets))
    indexed.sort(
        key=lambda pair: (
            0 if always_first is not None and pair[1].id == always_first else 1,
            -(pair[1].score or 0),
            -pair[0],
        )
    )
    return [s for _, s in indexed]


def resolve(
    sets: Iterable[NvSet],
    ctx: RuleContext | None = None,
    *,
    always_first: str | None = None,
    into: dict[str, str] | None = None,
) -> dict[str, str]:
    """Merge ``sets`` into one dict (first wins), evaluating each set's rule with ``ctx``.

    Without ``ctx`` a set that has a rule is skipped (no context to evaluate it in).
    """
    out: dict[str, str] = {} if into is None else into
    set_list = sets if isinstance(sets, list) else list(sets)
    if len(set_list) > 1:
        set_list = ordered(set_list, always_first)
    for nvset in set_list:
        if nvset.rule is not None and (ctx is None or not evaluate(nvset.rule, ctx)):
            continue
        for name, value in nvset.values.items():
            if value == DEFAULT_MARKER or name in out:
                continue
            out[name] = value
    return out


def cluster_options(sets: Iterable[NvSet], ctx: RuleContext | None = None) -> dict[str, str]:
    """crm_config properties: ``cib-bootstrap-options`` first, then by score."""
    return resolve(sets, ctx or RuleContext(), always_first="cib-bootstrap-options")
