"""What the DC asks a node's executor to run (:class:`OpRequest`) and what comes back
(:class:`OpResult`).

Both are frozen records that travel in cluster messages as JSON: ``to_dict()`` gives plain
JSON types, ``from_dict()`` checks every type and bound and raises
:class:`~pycrm.daemon.executor._fields.FieldError` (a ValueError) naming the bad field.
The constructors run the same checks, so a request built locally is held to the rules of one
that came off the network.

Meta attributes (``OCF_RESKEY_CRM_meta_<name>``) are split in two: the ones the executor
itself acts on are typed fields (``timeout_ms``, ``interval_ms``, ``start_delay_ms``,
``node``, ``node_uuid``) and may not appear in ``meta``; everything else Pacemaker passes
(``name``, ``role``, ``on_fail``, ``clone``, ``clone_max``, ``notify_*`` ...) is in ``meta``,
by its name without the ``CRM_meta_`` prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pycrm.daemon.executor import _fields as f
from pycrm.daemon.executor.codes import (
    EXEC_CANCELLED,
    EXEC_DONE,
    EXEC_ERROR,
    EXEC_INVALID,
    EXEC_NO_FENCE_DEVICE,
    EXEC_NO_SECRETS,
    EXEC_NOT_CONNECTED,
    EXEC_NOT_SUPPORTED,
    EXEC_PENDING,
    EXEC_TIMEOUT,
)

CRM_FEATURE_SET = "3.16.1"  # what Pacemaker 2.1.5 passes and records
DEFAULT_TIMEOUT_MS = 20_000

INT_MAX = 2**31 - 1
INTERVAL_MAX_MS = 4_294_967_295
PID_MAX = 4_194_304  # the kernel's upper limit for pid_max
MAX_EPOCH = 2**40  # seconds; far beyond any clock this code will meet
MAX_REASON = 512
MAX_OUTPUT = 65_536  # a meta-data result carries the agent's XML; others keep 4 KiB

# A class, provider or type names a path component: no "/", no "." or ".." alone.
_COMPONENT = re.compile(r"(?!\.\.?$)[A-Za-z0-9_.+@:-]{1,128}")
# A type may have "/" (stonith:external/sbd); classes that build a path from it refuse it.
_AGENT = re.compile(r"(?!/)(?!.*//)(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9_.+@:/-]{1,128}(?<!/)")
_ACTION = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NODE = re.compile(r"[^\s/]{1,256}")

# Executor-controlled meta attributes: typed fields, never in `meta`.
RESERVED_META = frozenset({"timeout", "interval", "start_delay", "on_node", "on_node_uuid"})

# Executor statuses that make a result a failure whatever its rc (Pacemaker did_rsc_op_fail).
_FAILED_STATUSES = frozenset(
    {
        EXEC_NOT_SUPPORTED,
        EXEC_TIMEOUT,
        EXEC_ERROR,
        EXEC_NOT_CONNECTED,
        EXEC_INVALID,
        EXEC_NO_FENCE_DEVICE,
        EXEC_NO_SECRETS,
    }
)


@dataclass(frozen=True, slots=True)
class OpRequest:
    """One operation for one resource on one node."""

    rsc_id: str  # executor id: OCF_RESOURCE_INSTANCE and the history's lrm_resource id
    rsc_class: str  # ocf | lsb | heartbeat | stonith
    agent: str  # the resource type
    action: str  # start stop monitor promote demote notify reload migrate_to ...
    node: str  # CRM_meta_on_node
    provider: str | None = None
    node_uuid: str = ""  # CRM_meta_on_node_uuid ("" = same as node)
    interval_ms: int = 0
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    start_delay_ms: int = 0
    params: Mapping[str, str] = field(default_factory=dict)  # instance attributes
    meta: Mapping[str, str] = field(default_factory=dict)  # CRM_meta_* without the prefix
    transition_key: str | None = None  # action:transition:target_rc:uuid
    target_rc: int = 0
    feature_set: str = CRM_FEATURE_SET

    def __post_init__(self) -> None:
        f.check_text("rsc_id", self.rsc_id, pattern=_COMPONENT)
        f.check_text("rsc_class", self.rsc_class, pattern=_COMPONENT)
        f.check_text("agent", self.agent, pattern=_AGENT)
        f.check_text("action", self.action, pattern=_ACTION)
        f.check_text("node", self.node, pattern=_NODE)
        if self.provider is not None:
            f.check_text("provider", self.provider, pattern=_COMPONENT)
        f.check_text("node_uuid", self.node_uuid, allow_empty=True)
        f.check_int("interval_ms", self.interval_ms, 0, INTERVAL_MAX_MS)
        f.check_int("timeout_ms", self.timeout_ms, 1, INT_MAX)
        f.check_int("start_delay_ms", self.start_delay_ms, 0, INT_MAX)
        f.check_int("target_rc", self.target_rc, 0, 255)
        if self.transition_key is not None:
            f.check_text("transition_key", self.transition_key)
        f.check_text("feature_set", self.feature_set, max_len=32)
        params = f.check_name_map("params", self.params)
        meta = f.check_name_map("meta", self.meta)
        reserved = RESERVED_META.intersection(meta)
        if reserved:
            raise f.FieldError(f"meta: {', '.join(sorted(reserved))} must be typed fields")
        # Private copies: the caller's dicts may change after the request was made.
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "meta", meta)

    @property
    def key(self) -> str:
        """Pacemaker's operation key ``<rsc>_<action>_<interval>``."""
        return f"{self.rsc_id}_{self.action}_{self.interval_ms}"

    @property
    def recurring(self) -> bool:
        return self.interval_ms > 0

    @property
    def probe(self) -> bool:
        return self.action == "monitor" and self.interval_ms == 0

    @property
    def on_fail(self) -> str | None:
        return self.meta.get("on_fail")

    def to_dict(self) -> dict[str, object]:
        return {
            "rsc_id": self.rsc_id,
            "rsc_class": self.rsc_class,
            "provider": self.provider,
            "agent": self.agent,
            "action": self.action,
            "node": self.node,
            "node_uuid": self.node_uuid,
            "interval_ms": self.interval_ms,
            "timeout_ms": self.timeout_ms,
            "start_delay_ms": self.start_delay_ms,
            "params": dict(self.params),
            "meta": dict(self.meta),
            "transition_key": self.transition_key,
            "target_rc": self.target_rc,
            "feature_set": self.feature_set,
        }

    @classmethod
    def from_dict(cls, obj: object) -> OpRequest:
        d = f.mapping(obj, "request")
        return cls(
            rsc_id=f.text(d, "rsc_id"),
            rsc_class=f.text(d, "rsc_class"),
            provider=f.opt_text(d, "provider"),
            agent=f.text(d, "agent"),
            action=f.text(d, "action"),
            node=f.text(d, "node"),
            node_uuid=f.text(d, "node_uuid", allow_empty=True),
            interval_ms=f.integer(d, "interval_ms", 0, INTERVAL_MAX_MS),
            timeout_ms=f.integer(d, "timeout_ms", 1, INT_MAX),
            start_delay_ms=f.integer(d, "start_delay_ms", 0, INT_MAX),
            params=f.name_map(d, "params"),
            meta=f.name_map(d, "meta"),
            transition_key=f.opt_text(d, "transition_key"),
            target_rc=f.integer(d, "target_rc", 0, 255),
            feature_set=f.text(d, "feature_set", max_len=32),
        )


@dataclass(frozen=True, slots=True)
class OpResult:
    """The outcome of one run of a request.

    ``run_at`` is the wall-clock time (epoch seconds) the run started (Pacemaker's
    ``t_run``); ``rc_changed_at`` the time the rc last changed, which for a recurring
    monitor can be older than ``run_at``.  ``first_report`` is true for the first result of
    a request (the one that confirms the DC's action); later results of a recurring
    operation are reported only when the rc or the status changed.  ``main_pid`` is the
    service's main process as the agent announced it (only for a successful run).
    """

    request: OpRequest
    call_id: int
    rc: int
    op_status: int
    exit_reason: str = ""
    run_at: float = 0.0
    rc_changed_at: float = 0.0
    exec_ms: int = 0
    queue_ms: int = 0
    main_pid: int | None = None
    output: str = ""  # tail of the agent's stdout (the whole XML for meta-data)
    first_report: bool = True

    def __post_init__(self) -> None:
        f.check_int("call_id", self.call_id, 1, INT_MAX)
        f.check_int("rc", self.rc, -255, 255)
        f.check_int("op_status", self.op_status, EXEC_PENDING, EXEC_NO_SECRETS)
        f.check_text("exit_reason", self.exit_reason, max_len=MAX_REASON, allow_empty=True)
        f.check_text("output", self.output, max_len=MAX_OUTPUT, allow_empty=True)
        f.check_int("exec_ms", self.exec_ms, 0, INT_MAX)
        f.check_int("queue_ms", self.queue_ms, 0, INT_MAX)
        if self.main_pid is not None:
            f.check_int("main_pid", self.main_pid, 1, PID_MAX)
        for name in ("run_at", "rc_changed_at"):
            value = getattr(self, name)
            if not 0 <= value <= MAX_EPOCH:
                raise f.FieldError(f"{name}: {value} is outside 0..{MAX_EPOCH}")

    @property
    def rsc_id(self) -> str:
        return self.request.rsc_id

    @property
    def action(self) -> str:
        return self.request.action

    @property
    def interval_ms(self) -> int:
        return self.request.interval_ms

    @property
    def key(self) -> str:
        return self.request.key

    @property
    def target_rc(self) -> int:
        return self.request.target_rc

    @property
    def failed(self) -> bool:
        """Pacemaker's did_rsc_op_fail: a failed execution, or a completed one whose rc
        is not the expected one (cancelled and pending results never fail)."""
        if self.op_status in (EXEC_CANCELLED, EXEC_PENDING):
            return False
        if self.op_status in _FAILED_STATUSES:
            return True
        return self.rc != self.request.target_rc

    @property
    def done(self) -> bool:
        return self.op_status == EXEC_DONE

    def to_dict(self) -> dict[str, object]:
        return {
            "request": self.request.to_dict(),
            "call_id": self.call_id,
            "rc": self.rc,
            "op_status": self.op_status,
            "exit_reason": self.exit_reason,
            "run_at": self.run_at,
            "rc_changed_at": self.rc_changed_at,
            "exec_ms": self.exec_ms,
            "queue_ms": self.queue_ms,
            "main_pid": self.main_pid,
            "output": self.output,
            "first_report": self.first_report,
        }

    @classmethod
    def from_dict(cls, obj: object) -> OpResult:
        d = f.mapping(obj, "result")
        return cls(
            request=OpRequest.from_dict(d.get("request")),
            call_id=f.integer(d, "call_id", 1, INT_MAX),
            rc=f.integer(d, "rc", -255, 255),
            op_status=f.integer(d, "op_status", EXEC_PENDING, EXEC_NO_SECRETS),
            exit_reason=f.text(d, "exit_reason", max_len=MAX_REASON, allow_empty=True),
            run_at=f.number(d, "run_at", 0, MAX_EPOCH),
            rc_changed_at=f.number(d, "rc_changed_at", 0, MAX_EPOCH),
            exec_ms=f.integer(d, "exec_ms", 0, INT_MAX),
            queue_ms=f.integer(d, "queue_ms", 0, INT_MAX),
            main_pid=f.opt_integer(d, "main_pid", 1, PID_MAX),
            output=f.text(d, "output", max_len=MAX_OUTPUT, allow_empty=True),
            first_report=f.boolean(d, "first_report"),
        )
