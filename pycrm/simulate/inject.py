"""Simulated events written into a CIB's status section before scheduling.

These mirror crm_simulate's injections, so the same command line gives the
same input to both schedulers:

* ``node_up(name)``: the node's ``node_state`` says it is a healthy member
  (crm_simulate ``--node-up``).
* ``node_fail(name)``: the node was a member and has left the membership
  without a clean shutdown (``in_ccm=false``, still expected): it is unclean
  (crm_simulate ``--node-fail``).
* ``inject_op(spec)``: an operation result ``rsc_task_interval@node=rc``
  (crm_simulate ``--op-inject``): a history record, and, when the result is a
  failure, a fail count increment and a ``last-failure`` time in the node's
  transient attributes.

Everything works on an lxml tree of the whole ``<cib>`` document; the caller
re-parses the result with the public ``cib`` API.
"""

from __future__ import annotations

import re
import time

from lxml import etree

from cib._record import FrozenRecord, setattr_

_FAKE_UUID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
# Compiled on first use (re caches them): only runs with injections need these patterns, and
# compiling one costs ~0.1 ms at every start of `pycrm simulate`.
_SPEC = r"^(?P<key>[^@=\s]+)@(?P<node>[^=\s]+)=(?P<rc>-?\d+)$"
_KEY = r"^(?P<rsc>.+?)_(?P<task>migrate_to|migrate_from|[A-Za-z-]+)_(?P<interval>\d+)$"
_CLONE_SUFFIX = r":\d+$"


class InjectError(ValueError):
    """An injection request that cannot be applied (bad syntax, unknown name)."""


class OpSpec(FrozenRecord):
    """One ``rsc_task_interval@node=rc`` operation result."""

    rsc: str
    task: str
    interval_ms: int
    node: str
    rc: int

    __match_args__ = ("rsc", "task", "interval_ms", "node", "rc")

    def __init__(
        self,
        rsc: str,
        task: str,
        interval_ms: int,
        node: str,
        rc: int,
    ) -> None:
        setattr_(self, "rsc", rsc)
        setattr_(self, "task", task)
        setattr_(self, "interval_ms", interval_ms)
        setattr_(self, "node", node)
        setattr_(self, "rc", rc)

    @property
    def key(self) -> str:
        return f"{self.rsc}_{self.task}_{self.interval_ms}"

    def __str__(self) -> str:
        return f"{self.key}@{self.node}={self.rc}"


def parse_op_spec(spec: str) -> OpSpec:
    """Parse crm_simulate's operation syntax, e.g. ``rsc1_monitor_10000@node1=7``."""
    m = re.match(_SPEC, spec.strip())
    if m is None:
        raise InjectError(f"invalid operation spec {spec!r}: expected rsc_task_interval@node=rc")
    k = re.match(_KEY, m.group("key"))
    if k is None:
        raise InjectError(
            f"invalid operation key {m.group('key')!r}: expected rsc_task_interval "
            "(e.g. rsc1_monitor_10000)"
        )
    return OpSpec(
        rsc=k.group("rsc"),
        task=k.group("task"),
        interval_ms=int(k.group("interval")),
        node=m.group("node"),
        rc=int(m.group("rc")),
    )


def _section(root: etree._Element, tag: str) -> etree._Element:
    found = root.find(tag)
    if found is None:
        found = etree.SubElement(root, tag)
    return found


def _status(root: etree._Element) -> etree._Element:
    return _section(root, "status")


def _node_id(root: etree._Element, uname: str) -> str:
    for node in root.iterfind("configuration/nodes/node"):
        if node.get("uname") == uname:
            return node.get("id") or uname
    return uname


def _node_state(root: etree._Element, uname: str) -> etree._Element:
    """The ``node_state`` of `uname`, created (like crm_simulate does) when missing."""
    status = _status(root)
    for state in status.iterfind("node_state"):
        if state.get("uname") == uname:
            return state
    node_id = _node_id(root, uname)
    for state in status.iterfind("node_state"):
        if state.get("id") == node_id and state.get("uname") is None:
            state.set("uname", uname)
            return state
    return etree.SubElement(status, "node_state", id=node_id, uname=uname)


def _set_member(state: etree._Element, in_ccm: bool) -> None:
    state.set("in_ccm", "true" if in_ccm else "false")
    state.set("crmd", "online")
    state.set("join", "member")
    state.set("expected", "member")
    state.set("crm-debug-origin", "pycrm-simulate")


def node_up(root: etree._Element, uname: str) -> str:
    """Mark `uname` as an online cluster member. Returns the report line."""
    _set_member(_node_state(root, uname), in_ccm=True)
    return f"Bringing node {uname} online"


def node_fail(root: etree._Element, uname: str) -> str:
    """Mark `uname` as lost from the membership while expected up (unclean)."""
    _set_member(_node_state(root, uname), in_ccm=False)
    return f"Failing node {uname}"


def _find_primitive(root: etree._Element, rsc: str) -> etree._Element | None:
    resources = root.find("configuration/resources")
    if resources is None:
        return None
    base = re.sub(_CLONE_SUFFIX, "", rsc)
    for prim in resources.iter("primitive"):
        if prim.get("id") == base:
            return prim
    return None


def _lrm_resource(state: etree._Element, rsc: str, prim: etree._Element) -> etree._Element:
    lrm = state.find("lrm")
    if lrm is None:
        lrm = etree.SubElement(state, "lrm", id=state.get("id") or "")
    resources = lrm.find("lrm_resources")
    if resources is None:
        resources = etree.SubElement(lrm, "lrm_resources")
    for entry in resources.iterfind("lrm_resource"):
        if entry.get("id") == rsc:
            return entry
    entry = etree.SubElement(resources, "lrm_resource", id=rsc)
    for attr in ("class", "provider", "type"):
        value = prim.get(attr)
        if value is not None:
            entry.set(attr, value)
    return entry


def _next_call_id(entry: etree._Element) -> int:
    highest = 0
    for op in entry.iterfind("lrm_rsc_op"):
        try:
            highest = max(highest, int(op.get("call-id", "0")))
        except ValueError:
            continue
    return highest + 1


def _put_op(entry: etree._Element, op_id: str, attrs: dict[str, str]) -> None:
    for old in entry.iterfind("lrm_rsc_op"):
        if old.get("id") == op_id:
            entry.remove(old)
    op = etree.SubElement(entry, "lrm_rsc_op", id=op_id)
    for name, value in attrs.items():
        op.set(name, value)


def _is_failure(spec: OpSpec) -> bool:
    if spec.rc == 0:
        return False
    # A probe that finds the resource not running is the expected answer.
    return not (spec.rc == 7 and spec.interval_ms == 0)


def _transient_set(state: etree._Element) -> etree._Element:
    node_id = state.get("id") or state.get("uname") or ""
    transient = state.find("transient_attributes")
    if transient is None:
        transient = etree.Element("transient_attributes", id=node_id)
        state.insert(0, transient)
    attrs = transient.find("instance_attributes")
    if attrs is None:
        attrs = etree.SubElement(transient, "instance_attributes", id=f"status-{node_id}")
    return attrs


def _set_transient(state: etree._Element, name: str, value: str, increment: bool) -> None:
    attrs = _transient_set(state)
    node_id = state.get("id") or ""
    for nv in attrs.iterfind("nvpair"):
        if nv.get("name") == name:
            if increment:
                try:
                    old = int(nv.get("value", "0"))
                except ValueError:
                    old = 0
                nv.set("value", str(old + 1))
            else:
                nv.set("value", value)
            return
    safe = name.replace("#", ".")
    etree.SubElement(
        attrs,
        "nvpair",
        id=f"{node_id}-{safe}",
        name=name,
        value="1" if increment else value,
    )


def inject_op(root: etree._Element, spec: OpSpec, now: int | None = None) -> list[str]:
    """Record the operation result `spec` in the status section; returns report lines."""
    prim = _find_primitive(root, spec.rsc)
    if prim is None:
        raise InjectError(f"{spec}: no primitive resource named {spec.rsc!r}")
    stamp = str(int(time.time()) if now is None else now)
    state = _node_state(root, spec.node)
    entry = _lrm_resource(state, spec.rsc, prim)
    call_id = _next_call_id(entry)
    key = f"{call_id}:-1:0:{_FAKE_UUID}"
    attrs = {
        "operation_key": spec.key,
        "operation": spec.task,
        "crm-debug-origin": "pycrm-simulate",
        "crm_feature_set": "3.16.1",
        "transition-key": key,
        "transition-magic": f"0:{spec.rc};{key}",
        "exit-reason": "Simulated action result",
        "call-id": str(call_id),
        "rc-code": str(spec.rc),
        "op-status": "0",
        "interval": str(spec.interval_ms),
        "last-rc-change": stamp,
        "exec-time": "0",
        "queue-time": "0",
    }
    lines = [f"Injecting {spec} into the configuration"]
    failed = _is_failure(spec)
    if failed:
        _put_op(entry, f"{spec.rsc}_last_failure_0", attrs)
    if spec.interval_ms == 0:
        _put_op(entry, f"{spec.rsc}_last_0", attrs)
    elif not failed:
        _put_op(entry, spec.key, attrs)
    if failed:
        suffix = f"{spec.rsc}#{spec.task}_{spec.interval_ms}"
        where = f"/node_state '{state.get('id')}'"
        _set_transient(state, f"fail-count-{suffix}", "", increment=True)
        lines.append(f"Injecting attribute fail-count-{suffix}=value++ into {where}")
        _set_transient(state, f"last-failure-{suffix}", stamp, increment=False)
        lines.append(f"Injecting attribute last-failure-{suffix}={stamp} into {where}")
    return lines


class Injections(FrozenRecord):
    """Everything a ``pycrm simulate`` command line asked to change."""

    node_up: tuple[str, ...] = ()
    node_fail: tuple[str, ...] = ()
    ops: tuple[OpSpec, ...] = ()

    __match_args__ = ("node_up", "node_fail", "ops")

    def __init__(
        self,
        node_up: tuple[str, ...] = (),
        node_fail: tuple[str, ...] = (),
        ops: tuple[OpSpec, ...] = (),
    ) -> None:
        setattr_(self, "node_up", node_up)
        setattr_(self, "node_fail", node_fail)
        setattr_(self, "ops", ops)

    def __bool__(self) -> bool:
        return bool(self.node_up or self.node_fail or self.ops)


def apply(root: etree._Element, injections: Injections, now: int | None = None) -> list[str]:
    """Apply all injections in crm_simulate's order; returns the report lines."""
    lines: list[str] = []
    for uname in injections.node_up:
        lines.append(node_up(root, uname))
    for uname in injections.node_fail:
        lines.append(node_fail(root, uname))
    for spec in injections.ops:
        lines.extend(inject_op(root, spec, now))
    return lines
