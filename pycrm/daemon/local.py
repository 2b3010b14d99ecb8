"""What this node alone is authoritative for: its resource history and transient attributes
(Pacemaker's executor history and attribute manager for the local node), no I/O.

Every executor result is recorded here first (:class:`pycrm.daemon.lrm.LocalHistory`, fail
counts by :func:`pycrm.daemon.lrm.failure_updates`); the CIB changes that mirror it go to
the DC.  When a DC offers a join, :meth:`LocalNode.report` is what this node answers with,
so a new DC, or the same DC after lost messages, always gets the node's own truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from cib import history as hist
from cib import patch
from cib._parse_status import StatusParser
from pycrm.daemon.cibsync import LocalReport
from pycrm.daemon.controller import ExecRef
from pycrm.daemon.executor import OpResult
from pycrm.daemon.lrm import LocalHistory, failure_updates

ACTIVE_ROLES = (hist.ROLE_STARTED, hist.ROLE_UNPROMOTED, hist.ROLE_PROMOTED)


@dataclass(frozen=True)
class Recorded:
    """What one result means for the cluster: the changes, and the DC action it answers."""

    ref: ExecRef | None
    rc: int
    changes: list[patch.Change]


class LocalNode:
    def __init__(
        self,
        me: str,
        node_id: str,
        *,
        start_failure_is_fatal: Callable[[], bool] = lambda: True,
    ) -> None:
        self.me = me
        self.history = LocalHistory(me, node_id)
        self.attrs: dict[str, str] = {}
        self.start_failure_is_fatal = start_failure_is_fatal
        self._refs: dict[int, ExecRef] = {}  # executor call id -> the DC action it runs

    # ------------------------------------------------------------------ joins
    def report(self) -> LocalReport:
        return LocalReport(self.history.lrm_text(), dict(self.attrs))

    # ---------------------------------------------------------------- results
    def submitted(self, call_id: int, ref: ExecRef) -> None:
        self._refs[call_id] = ref

    def on_result(self, result: OpResult, now_wall: float) -> Recorded:
        """Record ``result``; the changes for the CIB and the action it completes (only its
        first result completes a DC action; later ones of a recurring monitor are news)."""
        ref = self._refs.pop(result.call_id, None) if result.first_report else None
        changes: list[patch.Change] = []
        if self.history.record(result):
            text = self.history.resource_text(result.rsc_id)
            if text is not None:
                changes.append(patch.SetLrmResource(self.me, text))
        updates = failure_updates(
            result,
            self.attrs,
            start_failure_is_fatal=self.start_failure_is_fatal(),
            now_epoch=now_wall,
        )
        for name, value in sorted(updates.items()):
            self.attrs[name] = value
            changes.append(patch.SetTransientAttr(self.me, name, value))
        return Recorded(ref, result.rc, changes)

    # ------------------------------------------------------------- attributes
    def set_attr(self, name: str, value: str | None) -> list[patch.Change]:
        """This node's transient attribute (``None`` deletes it); the change for the CIB."""
        if value is None:
            if self.attrs.pop(name, None) is None:
                return []
        elif self.attrs.get(name) == value:
            return []
        else:
            self.attrs[name] = value
        return [patch.SetTransientAttr(self.me, name, value)]

    def clear_failures(self, rsc: str | None = None) -> list[patch.Change]:
        """A cleanup: forget fail counts (and the failure records) of ``rsc`` (or all)."""
        if rsc is None:
            named = {n.split("-", 2)[2].split("#", 1)[0] for n in self.attrs if "#" in n}
            owners = sorted(set(self.history.resources) | named)
        else:
            owners = [rsc]
        changes: list[patch.Change] = []
        for owner in owners:
            changes += self.clear_failcounts(owner)
            if self.history.forget_failure(owner):
                text = self.history.resource_text(owner)
                if text is not None:
                    changes.append(patch.SetLrmResource(self.me, text))
        return changes

    def history_id(self, rsc: str) -> str:
        """The id this node's history knows ``rsc`` by (anonymous clone instances ``x:N`` are
        recorded as ``x``)."""
        if rsc in self.history.resources:
            return rsc
        base = rsc.split(":", 1)[0]
        return base if base in self.history.resources else rsc

    def forget_op(self, rsc: str, operation: str, interval_ms: int) -> list[patch.Change]:
        """A recurring operation the DC cancelled: its entry goes, as the controller does."""
        if not self.history.forget_op(rsc, operation, interval_ms):
            return []
        text = self.history.resource_text(rsc)
        return [patch.SetLrmResource(self.me, text)] if text is not None else []

    def forget(self, rsc: str) -> list[patch.Change]:
        """An orphan's whole history (a DC's ``delete``)."""
        if not self.history.forget(rsc):
            return []
        return [patch.DeleteLrmResource(self.me, rsc)]

    def clear_failcounts(self, rsc: str) -> list[patch.Change]:
        """Fail counts and last-failure times of ``rsc`` (a DC's ``clear_failcount``)."""
        changes: list[patch.Change] = []
        for name in sorted(self.attrs):
            if not name.startswith(("fail-count-", "last-failure-")):
                continue
            owner = name.split("-", 2)[2].split("#", 1)[0]
            if owner == rsc or owner.split(":", 1)[0] == rsc:
                changes += self.set_attr(name, None)
        return changes

    # ---------------------------------------------------------------- queries
    def active(self) -> list[str]:
        """Resources this node's own history says are active here."""
        status = etree.Element("status")
        state = etree.SubElement(status, "node_state", id=self.history.node_id, uname=self.me)
        state.append(self.history.lrm_xml())
        parsed = StatusParser("<local>").status(status).get(self.me)
        if parsed is None:
            return []
        out = []
        for rsc_id, lrm in parsed.resources.items():
            node_hist = hist.unpack_node_history(lrm, self.me, lambda task, interval: "restart")
            if node_hist.role in ACTIVE_ROLES or node_hist.stop_failed:
                out.append(rsc_id)
        return sorted(out)
