"""Parse the ``<status>`` section: node_state, transient attributes, lrm operation history."""

from __future__ import annotations

from lxml import etree

from cib import errors
from cib._xml import Located, is_true, line_of
from cib.model import LrmResource, NodeStatus, OpRecord


def _target_rc(key: str | None, magic: str | None) -> int | None:
    """Expected rc: 3rd field of ``action:transition:target_rc:uuid`` (from key or magic)."""
    if not key and magic and ";" in magic:
        key = magic.split(";", 1)[1]
    if not key:
        return None
    parts = key.split(":")
    if len(parts) < 4:
        return None
    try:
        return int(parts[2])
    except ValueError:
        return None


class StatusParser(Located):
    __slots__ = ()

    def status(self, el: etree._Element) -> dict[str, NodeStatus]:
        out: dict[str, NodeStatus] = {}
        for ns in el.iterchildren("node_state"):
            if not ns.get("id") or not ns.get("uname"):
                continue  # Pacemaker ignores a malformed entry without id or uname
            node = self.node_state(ns)
            out.setdefault(node.uname, node)
        return out

    def tickets(self, el: etree._Element) -> dict[str, dict[str, str]]:
        """``<tickets><ticket_state id=... granted= standby= last-granted=/>``."""
        out: dict[str, dict[str, str]] = {}
        for tickets in el.iterchildren("tickets"):
            for state in tickets.iterchildren("ticket_state"):
                ticket = state.get("id")
                if ticket:
                    entry = out.setdefault(ticket, {})
                    entry.update({str(k): str(v) for k, v in state.items() if k != "id"})
        return out

    def node_state(self, el: etree._Element) -> NodeStatus:
        node_id = self.req(el, "id")
        uname = el.get("uname") or node_id
        attrs = {str(k): str(v) for k, v in el.items()}
        in_ccm_raw = el.get("in_ccm")
        in_ccm = is_true(in_ccm_raw) or (
            in_ccm_raw is not None and in_ccm_raw.isdigit() and in_ccm_raw != "0"
        )
        transient: dict[str, str] = {}
        resources: dict[str, LrmResource] = {}
        for child in el.iterchildren(tag=etree.Element):
            if child.tag == "transient_attributes":
                for iset in child.iterchildren("instance_attributes"):
                    for pair in iset.iterchildren("nvpair"):
                        name = pair.get("name")
                        value = pair.get("value")
                        if name is not None and value is not None:
                            transient[name] = value
            elif child.tag == "lrm":
                for lrs in child.iterchildren("lrm_resources"):
                    for lr in lrs.iterchildren("lrm_resource"):
                        rsc = self.lrm_resource(lr)
                        resources[rsc.id] = rsc
        return NodeStatus(
            id=node_id,
            uname=uname,
            in_ccm=in_ccm,
            crmd=el.get("crmd"),
            join=el.get("join"),
            expected=el.get("expected"),
            crm_debug_origin=el.get("crm-debug-origin"),
            transient=transient,
            resources=resources,
            attrs=attrs,
            line=line_of(el),
        )

    def lrm_resource(self, el: etree._Element) -> LrmResource:
        return LrmResource(
            id=self.req(el, "id"),
            standard=el.get("class"),
            provider=el.get("provider"),
            type=el.get("type"),
            ops=[self.op_record(op) for op in el.iterchildren("lrm_rsc_op")],
            container=el.get("container"),
        )

    def _int(self, el: etree._Element, name: str, default: int) -> int:
        value = self.integer(el, name)
        return default if value is None else value

    def op_record(self, el: etree._Element) -> OpRecord:
        key = el.get("transition-key")
        magic = el.get("transition-magic")
        op_id = self.req(el, "id")
        operation = self.req(el, "operation")
        rc_code = self.integer(el, "rc-code")
        op_status = self.integer(el, "op-status")
        if (rc_code is None or op_status is None) and magic:
            # transition-magic = "op_status:rc_code;transition-key"
            head = magic.split(";", 1)[0].split(":")
            if len(head) == 2:
                try:
                    op_status = int(head[0]) if op_status is None else op_status
                    rc_code = int(head[1]) if rc_code is None else rc_code
                except ValueError:
                    raise self.error(
                        errors.BAD_VALUE, f"bad transition-magic {magic!r}", el
                    ) from None
        return OpRecord(
            id=op_id,
            operation_key=el.get("operation_key") or op_id,
            operation=operation,
            interval_ms=self._int(el, "interval", 0),
            call_id=self._int(el, "call-id", -1),
            rc_code=0 if rc_code is None else rc_code,
            op_status=0 if op_status is None else op_status,
            target_rc=_target_rc(key, magic),
            transition_key=key,
            transition_magic=magic,
            exit_reason=el.get("exit-reason") or "",
            last_rc_change=self.integer(el, "last-rc-change"),
            last_run=self.integer(el, "last-run"),
            exec_time=self.integer(el, "exec-time"),
            queue_time=self.integer(el, "queue-time"),
            op_digest=el.get("op-digest"),
            op_restart_digest=el.get("op-restart-digest"),
            op_force_restart=el.get("op-force-restart"),
            op_secure_digest=el.get("op-secure-digest"),
            op_secure_params=el.get("op-secure-params"),
            crm_feature_set=el.get("crm_feature_set"),
            on_node=el.get("on_node"),
            crm_debug_origin=el.get("crm-debug-origin"),
            line=line_of(el),
            migrate_source=el.get("migrate_source"),
            migrate_target=el.get("migrate_target"),
        )
