"""This node's authoritative resource history, recorded as Pacemaker 2.1.5's controller
records it (``pcmk__create_history_xml``), and the fail-count updates a result causes.

Per resource one ``<lrm_resource id class provider type>`` holds ``lrm_rsc_op`` entries:

* ``<rsc>_last_0``: the last non-recurring operation (a reload is recorded as a start when
  it succeeded, as a monitor when not);
* ``<rsc>_last_failure_0``: the last failed operation (did_rsc_op_fail: an execution that
  did not complete, or an rc other than the expected one); a failed non-recurring
  operation is also the new ``_last_0``, a failed recurring one is ONLY here;
* ``<rsc>_<action>_<interval>``: each recurring operation's last successful result.

Not recorded, as in Pacemaker: cancelled results, and ``cancel``, ``delete``, ``notify``
and ``meta-data`` operations.  :meth:`LocalHistory.record_pending` writes the in-progress
entry of an operation whose request asks for it (``record-pending``).  A recurring
operation cancelled by the DC (a graph "cancel" action) is erased with
:meth:`LocalHistory.forget_op`, as the controller erases it.
Results without a transition key get Pacemaker's fake one
(``<call-id>:-1:<target-rc>:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``).

Entries are written in call-id order (ties: the later update last), which is the order
Pacemaker replays them in.  Op digests come from :func:`digest_attributes`, the one place
to wire ``cib/digest.py`` into.

:func:`failure_updates` gives the transient attributes a result changes, as the controller's
``update_failcount`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from cib.digest import META_PREFIX, operation_digests
from cib.scores import SCORE_INF, parse_score
from pycrm.daemon.executor.codes import EXEC_CANCELLED, EXEC_DONE, EXEC_PENDING, effective_rc
from pycrm.daemon.executor.request import OpRequest, OpResult

ORIGIN = "do_update_resource"
FAKE_TE_UUID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
NOT_RECORDED = frozenset({"cancel", "delete", "notify", "meta-data"})
OCF_UNKNOWN = 193  # Pacemaker's rc for a pending operation
_TRUE_WORDS = frozenset({"true", "on", "yes", "y", "1"})
_RELOADS = ("reload", "reload-agent")


def digest_attributes(request: OpRequest) -> Mapping[str, str]:
    """``op-digest`` for a result of ``request``, as Pacemaker's controller records it: the
    parameters the agent ran with and, for a recurring operation, its timeout
    (:func:`cib.digest.operation_digests`).

    The restart and secure digests need the agent's meta-data (reloadable and private
    parameters); they are left out, which Pacemaker's scheduler treats as "nothing to
    compare" for them.
    """
    params = dict(request.params)
    if request.interval_ms > 0:
        params[f"{META_PREFIX}timeout"] = str(request.timeout_ms)
    return operation_digests(params, request.interval_ms).as_attributes()


@dataclass(frozen=True)
class OpEntry:
    """One ``lrm_rsc_op`` element."""

    id: str
    operation_key: str
    operation: str
    crm_debug_origin: str
    crm_feature_set: str
    transition_key: str
    transition_magic: str
    exit_reason: str
    on_node: str
    call_id: int
    rc_code: int
    op_status: int
    interval_ms: int
    last_rc_change: int
    exec_time: int
    queue_time: int
    digests: Mapping[str, str] = field(default_factory=dict)
    seq: int = 0  # update order, breaks call-id ties

    def attributes(self) -> list[tuple[str, str]]:
        """XML attributes in the controller's order."""
        return [
            ("id", self.id),
            ("operation_key", self.operation_key),
            ("operation", self.operation),
            ("crm-debug-origin", self.crm_debug_origin),
            ("crm_feature_set", self.crm_feature_set),
            ("transition-key", self.transition_key),
            ("transition-magic", self.transition_magic),
            ("exit-reason", self.exit_reason),
            ("on_node", self.on_node),
            ("call-id", str(self.call_id)),
            ("rc-code", str(self.rc_code)),
            ("op-status", str(self.op_status)),
            ("interval", str(self.interval_ms)),
            ("last-rc-change", str(self.last_rc_change)),
            ("exec-time", str(self.exec_time)),
            ("queue-time", str(self.queue_time)),
            *self.digests.items(),
        ]


@dataclass
class ResourceRecord:
    rsc_id: str
    rsc_class: str
    provider: str | None
    agent: str
    ops: dict[str, OpEntry] = field(default_factory=dict)

    def sorted_ops(self) -> list[OpEntry]:
        return sorted(self.ops.values(), key=lambda e: (e.call_id, e.last_rc_change, e.seq))


def recorded_task(result: OpResult) -> str:
    """The operation name the history uses for ``result`` (reloads become start/monitor)."""
    if result.action in _RELOADS:
        return "start" if result.op_status == EXEC_DONE else "monitor"
    return result.action


def transition_key(result: OpResult, call_id: int | None = None) -> str:
    """The result's transition key, or the controller's fake one for an operation the DC
    did not ask for (``<call-id>:-1:<target-rc>:<fake uuid>``)."""
    if result.request.transition_key:
        return result.request.transition_key
    action_id = result.call_id if call_id is None else call_id
    return f"{action_id}:-1:{result.target_rc}:{FAKE_TE_UUID}"


class LocalHistory:
    """The ``<lrm>`` of one node, built from its executor's results."""

    def __init__(self, node: str, node_id: str, *, origin: str = ORIGIN) -> None:
        self.node = node
        self.node_id = node_id
        self.origin = origin
        self.resources: dict[str, ResourceRecord] = {}
        self._seq = 0

    def record(self, result: OpResult) -> bool:
        """Add ``result``; True when the history changed."""
        if result.op_status in (EXEC_CANCELLED, EXEC_PENDING):
            return False
        return self._write(result, call_id=result.call_id)

    def _write(self, result: OpResult, call_id: int) -> bool:
        req = result.request
        if req.action in NOT_RECORDED:
            return False
        rsc = self.resources.get(req.rsc_id)
        if rsc is None:
            rsc = self.resources[req.rsc_id] = ResourceRecord(
                req.rsc_id, req.rsc_class, req.provider, req.agent
            )
        task = recorded_task(result)
        key = f"{req.rsc_id}_{task}_{req.interval_ms}"
        exit_reason = ""
        if result.failed:
            ids = [f"{req.rsc_id}_last_failure_0"]
            if req.interval_ms == 0:
                ids.append(f"{req.rsc_id}_last_0")
            exit_reason = result.exit_reason
        elif req.interval_ms > 0:
            ids = [key]
        else:
            ids = [f"{req.rsc_id}_last_0"]
        tkey = transition_key(result, call_id)
        changed_at = result.rc_changed_at if req.interval_ms > 0 and result.rc_changed_at else 0
        digests = dict(digest_attributes(req))
        for op_id in ids:
            self._seq += 1
            rsc.ops[op_id] = OpEntry(
                id=op_id,
                operation_key=key,
                operation=task,
                crm_debug_origin=self.origin,
                crm_feature_set=req.feature_set,
                transition_key=tkey,
                transition_magic=f"{result.op_status}:{result.rc};{tkey}",
                exit_reason=exit_reason,
                on_node=self.node,
                call_id=call_id,
                rc_code=result.rc,
                op_status=result.op_status,
                interval_ms=req.interval_ms,
                last_rc_change=int(changed_at or result.run_at),
                exec_time=result.exec_ms,
                queue_time=result.queue_ms,
                digests=digests,
                seq=self._seq,
            )
        return True

    def record_pending(self, request: OpRequest, run_at: float) -> bool:
        """Record that ``request`` is in progress (Pacemaker's ``record-pending``): an entry
        with call-id -1, op-status pending and rc 193, replaced by the result later.  Done
        only when the request asks for it (meta ``record_pending`` true)."""
        if request.action in NOT_RECORDED or request.action == "monitor":
            return False
        if request.meta.get("record_pending", "").lower() not in _TRUE_WORDS:
            return False
        pending = OpResult(
            request=request,
            call_id=1,  # replaced below: a pending entry has no call id yet
            rc=OCF_UNKNOWN,
            op_status=EXEC_PENDING,
            run_at=run_at,
            rc_changed_at=run_at,
        )
        return self._write(pending, call_id=-1)

    def forget_op(self, rsc_id: str, action: str, interval_ms: int) -> bool:
        """Erase a recurring operation's entry (the DC cancelled it)."""
        rsc = self.resources.get(rsc_id)
        return rsc is not None and rsc.ops.pop(f"{rsc_id}_{action}_{interval_ms}", None) is not None

    def forget_failure(self, rsc_id: str) -> bool:
        """Erase ``<rsc>_last_failure_0`` (a failure cleanup)."""
        rsc = self.resources.get(rsc_id)
        return rsc is not None and rsc.ops.pop(f"{rsc_id}_last_failure_0", None) is not None

    def forget(self, rsc_id: str) -> bool:
        """Erase a resource's whole history (resource cleanup or deletion)."""
        return self.resources.pop(rsc_id, None) is not None

    def resource_xml(self, rsc_id: str) -> etree._Element | None:
        rsc = self.resources.get(rsc_id)
        return None if rsc is None else resource_element(rsc)

    def lrm_xml(self) -> etree._Element:
        """``<lrm id=node_id><lrm_resources>...`` for this node's node_state."""
        lrm = etree.Element("lrm", id=self.node_id)
        resources = etree.SubElement(lrm, "lrm_resources")
        for rsc_id in sorted(self.resources):
            resources.append(resource_element(self.resources[rsc_id]))
        return lrm

    def resource_text(self, rsc_id: str) -> str | None:
        """:meth:`resource_xml` as text (what ``cib.patch.SetLrmResource`` carries)."""
        el = self.resource_xml(rsc_id)
        return None if el is None else etree.tostring(el, encoding="unicode")

    def lrm_text(self) -> str:
        """:meth:`lrm_xml` as text (what ``cib.patch.ReplaceLrm`` carries)."""
        return etree.tostring(self.lrm_xml(), encoding="unicode")


def resource_element(rsc: ResourceRecord) -> etree._Element:
    el = etree.Element("lrm_resource", id=rsc.rsc_id)
    el.set("class", rsc.rsc_class)
    if rsc.provider is not None:
        el.set("provider", rsc.provider)
    el.set("type", rsc.agent)
    for entry in rsc.sorted_ops():
        op = etree.SubElement(el, "lrm_rsc_op")
        for name, value in entry.attributes():
            op.set(name, value)
    return el


# --------------------------------------------------------------------------- fail counts
def failcount_name(rsc_id: str, task: str, interval_ms: int) -> str:
    return f"fail-count-{rsc_id}#{task}_{interval_ms}"


def last_failure_name(rsc_id: str, task: str, interval_ms: int) -> str:
    return f"last-failure-{rsc_id}#{task}_{interval_ms}"


def failure_updates(
    result: OpResult,
    transient: Mapping[str, str],
    *,
    start_failure_is_fatal: bool = True,
    now_epoch: float | None = None,
) -> dict[str, str]:
    """Transient attributes to set after ``result`` (empty when it is no failure).

    As the controller's ``update_failcount``: a result whose effective rc (degraded counts
    as success) is the expected one changes nothing; a failed recurring operation,
    promote or demote increments ``fail-count-<rsc>#<op>_<interval>``; a failed start sets
    it to INFINITY (``start-failure-is-fatal``, the default) or increments it; a failed stop
    sets INFINITY; other operations (probes, notifications ...) count only when they were
    initiated outside a transition.  ``last-failure-<rsc>#<op>_<interval>`` gets the time
    (``now_epoch``, default: when the run ended).  With ``on-fail=ignore`` the result that
    confirms the DC's action updates only ``last-failure`` (later results of a recurring
    operation count, as they do in Pacemaker).
    """
    # The controller compares rc only: a timed-out or unexecutable operation carries an
    # error rc (1, 4 or 5), never the expected one.
    if result.op_status in (EXEC_CANCELLED, EXEC_PENDING):
        return {}
    if effective_rc(result.rc) == result.target_rc:
        return {}
    task = recorded_task(result)
    interval = result.interval_ms
    tkey = transition_key(result)
    outside = tkey.split(":")[1:2] == ["-1"]
    if interval > 0 or task in ("promote", "demote"):
        value = None
    elif task == "start":
        value = "INFINITY" if start_failure_is_fatal else None
    elif task == "stop":
        value = "INFINITY"
    elif outside:
        value = None
    else:
        return {}
    rsc_id = result.rsc_id
    when = now_epoch if now_epoch is not None else result.run_at + result.exec_ms / 1000
    updates: dict[str, str] = {}
    ignore = result.request.on_fail == "ignore" and result.first_report and not outside
    if not ignore:
        name = failcount_name(rsc_id, task, interval)
        updates[name] = value if value is not None else _incremented(transient.get(name))
    updates[last_failure_name(rsc_id, task, interval)] = str(int(when))
    return updates


def _incremented(old: str | None) -> str:
    """attrd's ``value++``: the old score plus one, saturating at INFINITY (1000000)."""
    try:
        base = parse_score(old) if old is not None else 0
    except ValueError:
        base = 0
    return str(min(base + 1, SCORE_INF))
