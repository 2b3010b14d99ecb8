"""pycrm's scheduler: a pure function deciding what Pacemaker 2.1.5 would decide.

Stable API (for ``pycrm simulate`` and other callers)::

    from pycrm.scheduler import schedule
    transition = schedule(cib, now=None)     # cib: cib.model.Cib (cib.load / cib.loads)

``schedule(cib: cib.model.Cib, *, now: datetime | None = None) -> Transition`` never touches
the system; ``now`` (default: the CIB's ``execution-date`` or the current time) is used for
date rules and ``failure-timeout`` expiry.  Every action is assumed to succeed, like
``crm_simulate -S``.

:class:`Transition` (frozen dataclasses, see :mod:`pycrm.scheduler.types`):

* ``nodes``: tuple of :class:`NodeInfo` (``name``, ``id``, ``state`` in
  ``online|standby|maintenance|OFFLINE|UNCLEAN``, ``shutdown``, ``fenced``; the revised state
  is ``revised_state``), in CIB order.
* ``current``: tuple of :class:`ResourceState`, one per primitive / clone instance member
  (``id`` with clone suffix like ``child:3``, ``base_id``, ``role``
  ``Stopped|Started|Unpromoted|Promoted``, ``nodes``, ``agent`` like ``ocf:heartbeat:apache``,
  flags ``failed blocked unmanaged orphaned failure_ignored disabled``, ``group``, ``clone``,
  ``promotable``, ``unique``), in CIB order (orphans last).
* ``target``: the same shape after the transition ("Revised Cluster Status").
* ``actions``: tuple of :class:`Action` (``id``, ``rsc``, ``task`` start/stop/promote/demote/
  monitor or pseudo running/stopped/promoted/demoted/start/stop of groups and clones,
  ``node``, ``interval_ms``, ``pseudo``, ``reason``) in a topological order of ``edges``
  (tuple of :class:`Edge` ``before``/``after`` action ids; a DAG).
* ``summary``: tuple of :class:`SummaryLine` (``verb`` Start/Stop/Move/Restart/Recover/
  Promote/Demote, ``rsc``, ``from_node``, ``to_node``, ``from_role``/``to_role`` for
  Promote/Demote, ``reason`` like ``node availability`` / ``required rsc1 start``,
  ``blocked``), crm_simulate's "Transition Summary".
* ``scores``: tuple of :class:`ScoreDetail` (``rsc``, ``node``, ``score`` and
  ``contributions``: :class:`ScoreContribution` ``kind`` (node-score, location, stickiness,
  failure, colocation, colocation-dependent, promotion), ``source`` (constraint id or
  description), ``value``); ``ScoreDetail.explain()`` renders
  ``"rscA on node2: 200 = stickiness resource-stickiness 100 + location loc1 100"``.
* ``promotion_scores``: promotable clone instance id -> promotion score used.

Normalized comparison with crm_simulate output: :mod:`pycrm.simulate.normalize`.

Pipeline (one module per stage):

* ``build`` -- options, nodes, resources, meta inheritance, clone instances;
* ``unpack`` -- status section -> current state (via :mod:`cib.history`), clone instance
  matching, orphans;
* ``constraints`` -- locations with rules, colocations, orders, resource sets;
* ``placement`` -- scores, stickiness, fail counts, node choice; ``colocation``, ``groups``,
  ``clones``, ``promotable`` -- the variant-specific parts;
* ``ordering`` -- which starts can run; ``result`` -- target state and summary;
* ``actions`` -- actions, edges, topological order; ``pipeline`` -- :func:`schedule`.

Not modelled: fencing devices/fencing, utilization and placement strategies other than
``default``, remote/guest nodes, bundles, tickets, migration (allow-migrate), notifications,
operation digests ("resource definition changed" restarts).
"""

from pycrm.scheduler.pipeline import schedule
from pycrm.scheduler.types import (
    Action,
    Edge,
    NodeInfo,
    ResourceState,
    ScoreContribution,
    ScoreDetail,
    SummaryLine,
    Transition,
)

__all__ = [
    "Action",
    "Edge",
    "NodeInfo",
    "ResourceState",
    "ScoreContribution",
    "ScoreDetail",
    "SummaryLine",
    "Transition",
    "schedule",
]
