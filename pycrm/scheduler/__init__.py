"""pycrm's scheduler: a pure function deciding what Pacemaker 2.1.5 would decide.

Stable API (for ``pycrm simulate``, the daemon and other callers)::

    from pycrm.scheduler import schedule
    transition = schedule(cib, now=None, sanitized=False)   # cib: cib.model.Cib

``schedule(cib, *, now=None, sanitized=False) -> Transition`` never touches the system;
``now`` (default: the CIB's ``execution-date`` or the current time) is used for date rules
and ``failure-timeout`` expiry; ``sanitized=True`` is crm_simulate's ``-x`` behaviour (a CIB
from crm_report may have private parameters masked, so a change of only those is not a
definition change) -- ``pycrm simulate`` sets it, a live cluster must not.  Every action is
assumed to succeed, like ``crm_simulate -S``.  A CIB using Pacemaker Remote or guest nodes
raises :class:`cib.errors.CibError` (code ``CIB_UNSUPPORTED``) naming the feature; bundles
are refused by the parser.

:class:`Transition` (frozen dataclasses, see :mod:`pycrm.scheduler.types`):

* ``nodes``: tuple of :class:`NodeInfo` (``name``, ``id``, ``state`` in
  ``online|standby|maintenance|pending|OFFLINE|UNCLEAN``, ``online``, ``shutdown``,
  ``fenced`` (a fencing action is scheduled; ``revised_state`` is then ``OFFLINE``),
  ``fence_reason``), in CIB order.
* ``current``: tuple of :class:`ResourceState`, one per primitive / clone instance member
  (``id`` with clone suffix like ``child:3``, ``base_id``, ``role``
  ``Stopped|Started|Unpromoted|Promoted``, ``nodes``, ``agent`` like ``ocf:heartbeat:apache``,
  flags ``failed blocked unmanaged orphaned failure_ignored disabled``, ``group``, ``clone``,
  ``promotable``, ``unique``), in CIB order (orphans last).
* ``target``: the same shape after the transition ("Revised Cluster Status").
* ``actions``: tuple of :class:`Action` in a topological order of ``edges`` (tuple of
  :class:`Edge` ``before``/``after`` action ids; a DAG).  An executor dispatches on
  ``rsc``, ``task``, ``node``, ``interval_ms`` and ``pseudo`` (pseudo actions are
  bookkeeping, never executed) and passes ``meta`` to the agent as
  ``OCF_RESKEY_CRM_meta_<name>``:

  - resource operations: ``start stop promote demote monitor`` (probes have interval 0),
    ``migrate_to``/``migrate_from`` (meta ``migrate_source``, ``migrate_target``),
    ``reload-agent``, ``cancel`` (stop a recurring operation: meta ``operation``,
    ``interval``), ``delete`` (clean an orphan's history), ``notify``;
  - fencing: task ``stonith``, ``rsc`` empty, ``node`` the target, meta
    ``stonith_action`` (``reboot``/``off``), ``reason`` why; the stops and demotes it
    implies are pseudo actions ordered after it, before any recovery elsewhere;
  - ``clear_failcount`` (``rsc``, ``node``): a cluster action after a definition change;
  - clone notifications (clone meta ``notify=true``): ``notify`` actions per instance and
    node with meta ``notify_type`` (pre/post), ``notify_operation``, ``notify_key_type``,
    ``notify_key_operation`` and every ``notify_*_resource``/``notify_*_uname`` list,
    ``notify_inactive_resource``, ``notify_available_uname``, ``notify_all_uname`` (space
    separated, a single space when empty), between the clone's ``pre_notify``/
    ``confirmed-pre_notify``/``post_notify``/``confirmed-post_notify`` pseudo actions
    (the instances' own start/stop/promote/demote carry the same lists).
* ``summary``: tuple of :class:`SummaryLine` (``verb`` Start/Stop/Move/Restart/Recover/
  Migrate/Reload/Promote/Demote/Re-promote/Fence, ``rsc``, ``from_node``, ``to_node``,
  ``from_role``/``to_role`` (the roles before and after, "Stopped" when inactive),
  ``reason`` like ``node availability`` / ``resource definition change``, ``blocked``;
  a ``Fence`` line has the node as ``rsc`` and ``fence_action``), crm_simulate's
  "Transition Summary".
* ``scores``: tuple of :class:`ScoreDetail` (``rsc``, ``node``, ``score`` and
  ``contributions``: :class:`ScoreContribution` ``kind`` (node-score, location,
  stickiness, failure, colocation, colocation-dependent, promotion, ticket, utilization),
  ``source`` (constraint id or description), ``value``); ``ScoreDetail.explain()`` renders
  ``"rscA on node2: 200 = stickiness resource-stickiness 100 + location loc1 100"``.
* ``promotion_scores``: promotable clone instance id -> promotion score used.

Operation digests: :func:`cib.digest.operation_digests` (what an executor records with each
operation) and :func:`pycrm.scheduler.digests.op_parameters` (the parameters they are
computed from); :mod:`pycrm.scheduler.confchange` compares them like Pacemaker.

Normalized comparison with crm_simulate output: :mod:`pycrm.simulate.normalize`.

Pipeline (one module per stage):

* ``build`` -- options, nodes (online/pending/unclean), resources, meta inheritance, clone
  instances; ``unpack`` -- status section -> current state (via :mod:`cib.history`),
  clone instance matching, orphans;
* ``constraints`` -- locations with rules, colocations, orders, resource sets, tags and
  templates; ``tickets`` -- rsc_ticket; ``fencing`` -- which unclean nodes are fenced;
* ``confchange`` -- definition changes (digests);
* ``placement`` -- scores, stickiness, fail counts, node choice; ``utilization``,
  ``colocation``, ``groups``, ``clones``, ``promotable`` -- the variant-specific parts;
* ``ordering`` -- which starts can run; ``result`` -- target state, summary, restarts,
  migrations;
* ``actions`` -- actions, edges, topological order; ``recurring`` -- monitors and cancels;
  ``notify`` -- clone notifications; ``pipeline`` -- :func:`schedule`.

Also modelled: Pacemaker Remote and guest nodes, bundles (:mod:`pycrm.scheduler.bundles`),
interrupted live migrations, unfencing, node health strategies, hard and fatal failures,
multiple-active recovery.  Not modelled (see tests/conformance/scheduler_xfail.py for the
cases that differ): fencing topology (skipped when read), priority-fencing-delay, shutdown
locks (``shutdown-lock``).
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
