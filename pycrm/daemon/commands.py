"""Operator commands a node carries out on its own authority, and the recent-events ring.

Configuration changes go through the DC (the ``cib_update`` control command).  Some state,
though, belongs to one node: its transient attributes and its resource history (Pacemaker's
attribute manager and executor history).  A change to them must be made by that node's
daemon, or it would be undone the next time the node reports its own truth to a DC.  These
commands therefore run on the node they concern: the local daemon answers for itself and
forwards the request to the named node over the cluster channel (``node_request`` /
``node_reply`` CRM messages, authenticated like every CRM message); the operator's reply
comes once that node's change was applied by the DC.

Control commands (JSON-line, pycrm/control; errors are ``{"code", "message"}``):

``node_attr``  ``{"node": N, "name": A, "value": V | null}`` -- set (or delete, ``null``) the
    transient attribute A of node N (``--lifetime=reboot``).  Reply
    ``{"node": N, "changed": bool, "version": "0.12.40"}``.  Needs root (or the socket's group).
``cleanup``  ``{"node": N, "resources": [ids] | null}`` -- forget the failures of these
    primitives (``null``: every resource) on node N: for each one with a fail count or a
    failure record there, its fail counts and its whole history on that node, so that the DC
    probes it again (Pacemaker's ``crm_resource --cleanup``).  Reply
    ``{"node": N, "cleaned": [history ids], "version": ...}``.  Needs root (or the group).
``history``  ``{"node": N | null, "limit": int | null}`` -- the recent-events ring of node N
    (default: the DC, where the verdicts are made), oldest first.  Reply
    ``{"node": N, "dc": D, "events": [{"time": epoch, "kind": K, "text": T}, ...]}``; kinds
    ``verdict`` (the DC's one-line decisions), ``warning`` (the controller's warnings) and
    whatever else is recorded with :meth:`NodeCommands.record` (the fencing issue adds
    ``fence`` events there).
``cluster_settled``  ``{}`` -- asked of the DC: ``{"node", "dc", "settled", "version"}``
    (``settled``: joined, nothing planned or running; what ``--wait`` polls).

Errors: ``bad-request``, ``permission-denied``, ``no-dc`` (nothing was changed),
``not-member`` (the named node is not in this partition), ``invalid`` (the DC refused the
change), ``unknown-op``, ``timeout`` (from the socket server: no answer in time).

The daemon shell (pycrm/daemon/node.py) creates one :class:`NodeCommands`, registers it on
its control server, hands it the CRM messages of its kinds (:meth:`receive`), the DC's
acknowledgements of its changes (:meth:`acked`) and the controller's log and verdicts
(:meth:`observe`).  Outgoing messages go to ``controller.outbox``, which the shell drains.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cib import patch
from cib.errors import CibError
from heartbeat_compat.ipc import CommandError, JsonLineServer, Reply, Request
from pycrm.cluster.channel import Delivered
from pycrm.daemon.cibsync import Ack
from pycrm.daemon.config_model import DaemonConfig
from pycrm.daemon.controller import Controller
from pycrm.daemon.local import LocalNode
from pycrm.daemon.lrm import OpEntry

NODE_ATTR_COMMAND = "node_attr"
CLEANUP_COMMAND = "cleanup"
HISTORY_COMMAND = "history"
SETTLED_COMMAND = "cluster_settled"

NODE_REQUEST = "node_request"
NODE_REPLY = "node_reply"
KINDS = frozenset({NODE_REQUEST, NODE_REPLY})

RING_SIZE = 256
MAX_PENDING = 1024
MAX_NAME = 256
MAX_VALUE = 4096
MAX_RESOURCES = 4096

Error = tuple[str, str]  # (code, message)
Done = Callable[[dict[str, Any] | None, Error | None], None]


class Host(Protocol):
    """What the commands need of the daemon shell."""

    controller: Controller
    local: LocalNode

    def clock(self) -> float: ...

    def new_ref(self) -> int: ...


@dataclass(frozen=True)
class Event:
    time: float  # epoch seconds
    kind: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "kind": self.kind, "text": self.text}


def may_change(request: Request, server: JsonLineServer | None) -> None:
    """Who may change the cluster through the control socket: root, or -- when the socket
    is opened to a group (``haclient``, mode 0660) -- whoever could connect, i.e. that
    group's members.  Read-only commands are open to everyone who can connect."""
    peer = request.peer
    grouped = server is not None and server.group is not None
    if peer is not None and peer.uid != 0 and not grouped:
        raise CommandError("permission-denied", f"{request.command} needs root")


def _text(args: dict[str, Any], name: str, *, limit: int = MAX_NAME) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise CommandError("bad-request", f"{name!r} must be a non-empty string")
    return value


def _optional_text(args: dict[str, Any], name: str, *, limit: int) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise CommandError("bad-request", f"{name!r} must be a string or null")
    return value


def _resources(args: dict[str, Any]) -> list[str] | None:
    value = args.get("resources")
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > MAX_RESOURCES
        or not all(isinstance(v, str) and 0 < len(v) <= MAX_NAME for v in value)
    ):
        raise CommandError("bad-request", "'resources' must be a list of resource ids or null")
    return list(value)


def _limit(args: dict[str, Any]) -> int:
    value = args.get("limit")
    if value is None:
        return RING_SIZE
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CommandError("bad-request", "'limit' must be a non-negative integer")
    return value


def _base(rsc: str) -> str:
    head, sep, tail = rsc.rpartition(":")
    return head if sep and tail.isdigit() and head else rsc


class NodeCommands:
    def __init__(
        self, host: Host, *, wall: Callable[[], float] = time.time, ring: int = RING_SIZE
    ) -> None:
        self.host = host
        self.wall = wall
        self.events: deque[Event] = deque(maxlen=ring)
        self.server: JsonLineServer | None = None
        self._seq = 0
        self._forwarded: OrderedDict[int, tuple[str, Done]] = OrderedDict()
        self._acks: OrderedDict[int, Callable[[Ack], None]] = OrderedDict()
        self.counters: dict[str, int] = {}

    @property
    def me(self) -> str:
        return self.host.local.me

    # ------------------------------------------------------------------ shell hooks
    def register(self, server: JsonLineServer) -> None:
        self.server = server
        server.register(NODE_ATTR_COMMAND, self._node_attr)
        server.register(CLEANUP_COMMAND, self._cleanup)
        server.register(HISTORY_COMMAND, self._history)
        server.register(SETTLED_COMMAND, self._settled)

    def record(self, kind: str, text: str, when: float | None = None) -> None:
        """Add an event to the ring (the fencer records ``fence`` events here)."""
        self.events.append(Event(self.wall() if when is None else when, kind, text))

    def observe(self, log: Iterable[tuple[int, str]], verdicts: Iterable[str]) -> None:
        """The controller's outputs of one cycle: its warnings and its verdicts."""
        for level, text in log:
            if level >= logging.WARNING:
                self.record("warning", text)
        for verdict in verdicts:
            self.record("verdict", verdict)

    def receive(self, msg: Delivered, now: float) -> bool:
        """A CRM message: True when it was one of ours (handled here)."""
        if msg.kind not in KINDS:
            return False
        if msg.src not in self.host.controller.members:
            self._count("dropped_not_member")
            return True
        if msg.kind == NODE_REQUEST:
            self._on_request(msg)
        else:
            self._on_reply(msg)
        return True

    def acked(self, ack: Ack) -> bool:
        """The DC's answer to one of our changes: True when it was ours."""
        callback = self._acks.pop(ack.ref, None)
        if callback is None:
            return False
        callback(ack)
        return True

    # ------------------------------------------------------------------ commands
    def _may_change(self, request: Request) -> None:
        may_change(request, self.server)

    def _node_attr(self, request: Request) -> object:
        self._may_change(request)
        node = _text(request.args, "node")
        args = {
            "name": _text(request.args, "name"),
            "value": _optional_text(request.args, "value", limit=MAX_VALUE),
        }
        self._route(request, node, "attr", args)
        return None

    def _cleanup(self, request: Request) -> object:
        self._may_change(request)
        node = _text(request.args, "node")
        self._route(request, node, "cleanup", {"resources": _resources(request.args)})
        return None

    def _history(self, request: Request) -> object:
        node = _optional_text(request.args, "node", limit=MAX_NAME)
        self._route(request, node, "history", {"limit": _limit(request.args)})
        return None

    def _settled(self, request: Request) -> object:
        self._route(request, None, "settled", {})
        return None

    def _route(self, request: Request, node: str | None, op: str, args: dict[str, Any]) -> None:
        ctl = self.host.controller
        target = node if node is not None else ctl.dc
        if target is None:
            raise CommandError("no-dc", "no DC is elected yet: nothing was changed")
        if target != self.me and target not in ctl.members:
            raise CommandError(
                "not-member", f"{target} is not a member of this partition: nothing was changed"
            )
        reply = request.defer()
        done: Done = _Replier(reply)
        if target == self.me:
            self._run(op, args, done)
            return
        self._prune()
        self._seq += 1
        self._forwarded[self._seq] = (target, done)
        ctl.outbox.append((NODE_REQUEST, {"seq": self._seq, "op": op, "args": args}, target))

    # ---------------------------------------------------------------- node to node
    def _on_request(self, msg: Delivered) -> None:
        seq = msg.payload.get("seq")
        op = msg.payload.get("op")
        args = msg.payload.get("args")
        if not isinstance(seq, int) or not isinstance(op, str) or not isinstance(args, dict):
            self._count("dropped_malformed")
            return
        src = msg.src

        def answer(result: dict[str, Any] | None, error: Error | None) -> None:
            payload: dict[str, Any] = {"seq": seq, "ok": error is None, "result": result}
            if error is not None:
                payload["error"] = {"code": error[0], "message": error[1]}
            self.host.controller.outbox.append((NODE_REPLY, payload, src))

        try:
            self._run(op, _checked(op, args), answer)
        except CommandError as exc:
            answer(None, (exc.code, exc.message))

    def _on_reply(self, msg: Delivered) -> None:
        seq = msg.payload.get("seq")
        if not isinstance(seq, int):
            self._count("dropped_malformed")
            return
        pending = self._forwarded.get(seq)
        if pending is None or pending[0] != msg.src:
            self._count("dropped_unexpected_reply")
            return
        del self._forwarded[seq]
        done = pending[1]
        if msg.payload.get("ok") is True and isinstance(msg.payload.get("result"), dict):
            done(msg.payload["result"], None)
            return
        error = msg.payload.get("error")
        if isinstance(error, dict):
            done(None, (str(error.get("code", "error")), str(error.get("message", ""))))
        else:
            done(None, ("error", f"{msg.src} answered without a result"))

    # ------------------------------------------------------------------ local work
    def _run(self, op: str, args: dict[str, Any], done: Done) -> None:
        if op == "attr":
            self._attr(args["name"], args["value"], done)
        elif op == "cleanup":
            self._clean(args["resources"], done)
        elif op == "history":
            events = list(self.events)
            limit = args["limit"]
            shown = events[len(events) - limit :] if limit < len(events) else events
            done(
                {
                    "node": self.me,
                    "dc": self.host.controller.dc,
                    "events": [e.to_dict() for e in shown],
                },
                None,
            )
        elif op == "settled":
            ctl = self.host.controller
            done(
                {
                    "node": self.me,
                    "dc": ctl.dc,
                    "settled": ctl.settled(),
                    "version": str(ctl.live.version),
                },
                None,
            )
        else:
            done(None, ("unknown-op", f"unknown node operation {op!r}"))

    def _writable(self) -> Error | None:
        ctl = self.host.controller
        if ctl.dc is None:
            return ("no-dc", "no DC is elected yet: nothing was changed")
        if ctl.is_dc and not ctl.sync.synced:
            return ("no-dc", "the DC is still joining the nodes: nothing was changed, try again")
        return None

    def _attr(self, name: str, value: str | None, done: Done) -> None:
        refused = self._writable()
        if refused is not None:
            done(None, refused)
            return
        changes = self.host.local.set_attr(name, value)
        self._submit(changes, done, {"node": self.me, "changed": bool(changes)})

    def _clean(self, resources: Sequence[str] | None, done: Done) -> None:
        refused = self._writable()
        if refused is not None:
            done(None, refused)
            return
        local = self.host.local
        cleaned = failed_here(local, resources)
        changes: list[patch.Change] = []
        for rsc in cleaned:
            changes += local.clear_failcounts(rsc)
            changes += local.forget(rsc)
        self._submit(changes, done, {"node": self.me, "cleaned": cleaned})

    def _submit(self, changes: list[patch.Change], done: Done, result: dict[str, Any]) -> None:
        ctl = self.host.controller
        ref = self.host.new_ref()
        try:
            accepted = ctl.submit(changes, self.host.clock(), ref=ref)
        except CibError as exc:
            done(None, ("invalid", str(exc)))
            return
        if not accepted:
            done(None, ("no-dc", "no DC took the change; this node reports it when it joins"))
            return

        def finished(ack: Ack) -> None:
            if ack.ok:
                done({**result, "version": str(ctl.live.version)}, None)
            else:
                done(None, ("invalid", ack.error or "the DC refused the change"))

        self._acks[ref] = finished
        while len(self._acks) > MAX_PENDING:
            self._acks.popitem(last=False)

    # ------------------------------------------------------------------ helpers
    def _prune(self) -> None:
        """Forget forwarded requests nobody waits for any more (bounded either way)."""
        for seq, (_, done) in list(self._forwarded.items()):
            if not getattr(done, "open", True):
                del self._forwarded[seq]
        while len(self._forwarded) > MAX_PENDING:
            self._forwarded.popitem(last=False)

    def _count(self, key: str) -> None:
        self.counters[key] = self.counters.get(key, 0) + 1


def _checked(op: str, args: dict[str, Any]) -> dict[str, Any]:
    """A peer's arguments, checked like the local command's."""
    if op == "attr":
        return {
            "name": _text(args, "name"),
            "value": _optional_text(args, "value", limit=MAX_VALUE),
        }
    if op == "cleanup":
        return {"resources": _resources(args)}
    if op == "history":
        return {"limit": _limit(args)}
    return args


class _Replier:
    """A `Done` that answers the operator's deferred request."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    @property
    def open(self) -> bool:
        return self.reply.open

    def __call__(self, result: dict[str, Any] | None, error: Error | None) -> None:
        if error is not None:
            self.reply.error(*error)
        else:
            self.reply.result(result)


def _failed(entry: OpEntry) -> bool:
    """A recorded failure that is one: an execution error or an unexpected rc -- but not a
    probe that found the resource running or promoted (recorded there too, as Pacemaker
    records it, without being a failure)."""
    if entry.op_status != 0:
        return True
    if entry.operation == "monitor" and entry.interval_ms == 0:
        return entry.rc_code not in (0, 7, 8)
    fields = entry.transition_key.split(":")
    target = int(fields[2]) if len(fields) > 2 and fields[2].isdigit() else 0
    return entry.rc_code != target


def failed_here(local: LocalNode, resources: Sequence[str] | None) -> list[str]:
    """History ids on this node with a fail count or a failure record, among ``resources``
    (primitive ids; clone instances match their primitive) or all."""
    wanted = None if resources is None else set(resources)
    found: set[str] = set()
    for rsc_id, record in local.history.resources.items():
        entry = record.ops.get(f"{rsc_id}_last_failure_0")
        if entry is not None and _failed(entry):
            found.add(rsc_id)
    for name, value in local.attrs.items():
        if name.startswith("fail-count-") and value not in ("", "0"):
            found.add(name[len("fail-count-") :].split("#", 1)[0])
    return sorted(r for r in found if wanted is None or r in wanted or _base(r) in wanted)


def _hb_time(ms: int) -> str:
    return str(ms // 1000) if ms % 1000 == 0 else f"{ms}ms"


def heartbeat_parameters(cfg: DaemonConfig) -> dict[str, Any]:
    """What `cl_status hbparameter` reads from a `pycrm run` node's status snapshot, in
    heartbeat's words (seconds, or ``NNNms``)."""
    timing = cfg.timing
    params = {
        "keepalive": _hb_time(timing.keepalive_ms),
        "deadtime": _hb_time(timing.deadtime_ms),
        "warntime": _hb_time(timing.warn_ms),
        "udpport": str(cfg.udpport),
    }
    if timing.initdead_ms is not None:
        params["initdead"] = _hb_time(timing.initdead_ms)
    out: dict[str, Any] = {"udpport": cfg.udpport, "parameters": params}
    if cfg.auto_failback is not None:
        params["auto_failback"] = str(cfg.auto_failback)
        out["auto_failback"] = cfg.auto_failback
    return out
