"""Derive a resource's state on a node from its operation history (``lrm_rsc_op`` records).

This follows what Pacemaker's status unpacking does for one ``lrm_resource`` on one node:

* operations are replayed in ``call-id`` order (pending ones, call-id -1, last);
* an operation whose executor status is *done* or *error* is judged by comparing its rc with
  the expected rc (3rd field of the transition key; 0 when unknown, 7 for probes): equal means
  success.  A probe (monitor with interval 0) returning 7 means "stopped", 0 "running",
  8 "running promoted" -- none of those is a failure.  Other executor statuses (timeout,
  not supported, hard/fatal error, not installed ...) are failures;
* successful start / promote / demote / stop / monitor results set the role; a later
  successful start/stop/promote clears earlier failures handled by restart/block/ignore/demote
  (but not those handled by stop/fence/standby);
* a failure whose configured ``on-fail`` is ``ignore`` is treated as a success and only
  remembered (``failure_ignored``);
* a failed stop bans the resource from the node; a failed promote leaves it promoted.

The caller supplies ``on_fail_for(task, interval_ms) -> str`` resolving the configured
``on-fail`` of an operation (Pacemaker values: ignore block stop restart standby fence demote,
and internally restart-container, reset-remote and reset-remote-wait).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cmp_to_key

from cib._record import FACTORY, ValueRecord, replace
from cib.model import LrmResource, OpRecord

# Roles, ordered like Pacemaker's enum rsc_role_e.
ROLE_UNKNOWN = 0
ROLE_STOPPED = 1
ROLE_STARTED = 2
ROLE_UNPROMOTED = 3
ROLE_PROMOTED = 4
ROLE_NAMES = {
    ROLE_UNKNOWN: "Unknown",
    ROLE_STOPPED: "Stopped",
    ROLE_STARTED: "Started",
    ROLE_UNPROMOTED: "Unpromoted",
    ROLE_PROMOTED: "Promoted",
}

RC_OK = 0
RC_NOT_RUNNING = 7
RC_RUNNING_PROMOTED = 8
RC_FAILED_PROMOTED = 9
RC_NOT_INSTALLED = 5
RC_DEGRADED = 190
RC_DEGRADED_PROMOTED = 191

EXEC_PENDING = -1
EXEC_DONE = 0
EXEC_CANCELLED = 1
EXEC_ERROR = 4
EXEC_ERROR_HARD = 5
EXEC_ERROR_FATAL = 6
EXEC_NOT_INSTALLED = 7

# Agent results Pacemaker treats as hard errors (the resource may not run on that node
# again) and as fatal ones (nowhere), when the executor reported the operation done.
_HARD_RCS = frozenset({2, 3, 4, 5})  # invalid parameter, unimplemented, privileges, missing
RC_NOT_CONFIGURED = 6

# Failure handling severity (Pacemaker's enum action_fail_response order).
ON_FAIL_ORDER = {
    "none": 0,
    "ignore": 1,
    "demote": 2,
    "restart": 3,
    "block": 5,
    "stop": 6,
    "standby": 7,
    "fence": 8,
    "restart-container": 9,
    "reset-remote": 10,
    "reset-remote-wait": 10,  # a connection with a reconnect interval: not cleared by a start
}
_CLEARED_BY_SUCCESS = frozenset(
    {"ignore", "demote", "restart", "block", "restart-container", "reset-remote"}
)

OnFailResolver = Callable[[str, int], str]


class NodeHistory(ValueRecord):
    """What the history of one resource on one node says."""

    node: str
    role: int
    on_fail: str  # strongest unhandled failure response
    failure_ignored: bool
    stop_failed: bool  # a stop failed here: ban the resource from this node
    banned: str  # a hard error: "node" (no restart here) or "everywhere" (fatal); else ""
    pending: str | None  # task of a pending operation
    last_failure: OpRecord | None
    failed_ops: list[OpRecord]
    seen: bool  # any completed operation (an expired failure does not count)
    expired_ops: list[OpRecord]  # failures ignored because they expired

    __slots__ = (
        "banned",
        "expired_ops",
        "failed_ops",
        "failure_ignored",
        "last_failure",
        "node",
        "on_fail",
        "pending",
        "role",
        "seen",
        "stop_failed",
    )
    __match_args__ = (
        "node",
        "role",
        "on_fail",
        "failure_ignored",
        "stop_failed",
        "pending",
        "last_failure",
        "failed_ops",
        "seen",
        "expired_ops",
        "banned",
    )

    def __init__(
        self,
        node: str,
        role: int = 0,
        on_fail: str = "none",
        failure_ignored: bool = False,
        stop_failed: bool = False,
        pending: str | None = None,
        last_failure: OpRecord | None = None,
        failed_ops: list[OpRecord] = FACTORY,
        seen: bool = False,
        expired_ops: list[OpRecord] = FACTORY,
        banned: str = "",
    ) -> None:
        self.node = node
        self.banned = banned
        self.role = role
        self.on_fail = on_fail
        self.failure_ignored = failure_ignored
        self.stop_failed = stop_failed
        self.pending = pending
        self.last_failure = last_failure
        self.failed_ops = list() if failed_ops is FACTORY else failed_ops
        self.seen = seen
        self.expired_ops = list() if expired_ops is FACTORY else expired_ops

    @property
    def active(self) -> bool:
        return self.role > ROLE_STOPPED

    @property
    def failed(self) -> bool:
        """The resource is active here and an unrecovered failure needs handling."""
        return self.active and self.on_fail not in ("none", "ignore")


def sorted_ops(lrm: LrmResource) -> list[OpRecord]:
    """Operations in the order Pacemaker replays them (sort_op_by_callid): by call-id; one
    without a call-id yet (pending) goes by the transition that scheduled it: after the
    operations of earlier transitions of the same controller, before later ones (a start
    superseded by a later stop), and last when that cannot tell."""
    if all(op.call_id >= 0 for op in lrm.ops):
        return sorted(lrm.ops, key=lambda op: op.call_id)
    return sorted(lrm.ops, key=cmp_to_key(_compare_ops))


def _transition(op: OpRecord) -> tuple[str, int] | None:
    """(controller uuid, transition number) from the record's transition magic."""
    magic = op.transition_magic or ""
    _, _, key = magic.partition(";")
    parts = key.split(":")
    if len(parts) < 4:
        return None
    try:
        return parts[3], int(parts[1])
    except ValueError:
        return None


def _compare_ops(a: OpRecord, b: OpRecord) -> int:
    ac, bc = a.call_id, b.call_id
    if a.id == b.id or (ac < 0 and bc < 0):
        return 0
    if 0 <= ac < bc:
        return -1
    if bc >= 0 and ac > bc:
        return 1
    if bc >= 0 and ac == bc:
        la = a.last_rc_change if a.last_rc_change is not None else -1
        lb = b.last_rc_change if b.last_rc_change is not None else -1
        if la >= 0 and la < lb:
            return -1
        if lb >= 0 and la > lb:
            return 1
        return 0
    ta, tb = _transition(a), _transition(b)  # one of them is pending
    if ta is None or tb is None:
        return 0
    if ta[0] != tb[0] or ta[1] == tb[1]:
        return -1 if bc < 0 else 1
    if 0 <= ta[1] < tb[1] or tb[1] == -1:
        return -1
    return 1


def _expected_rc(op: OpRecord) -> int:
    if op.target_rc is not None:
        return op.target_rc
    if op.operation == "monitor" and op.interval_ms == 0:
        return RC_NOT_RUNNING
    return RC_OK


def _is_probe(op: OpRecord) -> bool:
    return op.operation == "monitor" and op.interval_ms == 0


def judge(op: OpRecord, *, managed: bool = True) -> str:
    """``done``, ``failed``, ``pending`` or ``cancelled`` for one record.

    "not running" (7) is never a failure for an unmanaged resource.
    """
    if op.op_status == EXEC_PENDING or op.call_id < 0:
        return "pending"
    if op.op_status == EXEC_CANCELLED:
        return "cancelled"
    if op.op_status not in (EXEC_DONE, EXEC_ERROR):
        return "failed"
    rc, expected = op.rc_code, _expected_rc(op)
    if rc == expected:
        return "done"
    if _is_probe(op) and rc in (RC_OK, RC_NOT_RUNNING, RC_RUNNING_PROMOTED):
        return "done"
    if rc == RC_NOT_RUNNING and not managed:
        return "done"
    if rc in (RC_DEGRADED, RC_DEGRADED_PROMOTED) and op.operation == "monitor":
        return "done"
    if op.operation == "stop" and rc == RC_NOT_RUNNING:
        return "done"
    return "failed"


def _as_expected(op: OpRecord) -> OpRecord:
    return replace(op, rc_code=_expected_rc(op), op_status=EXEC_DONE)


def _active_role(promotable: bool) -> int:
    return ROLE_UNPROMOTED if promotable else ROLE_STARTED


def _apply_success(hist: NodeHistory, op: OpRecord, promotable: bool) -> None:
    task = op.operation
    clear = False
    if op.rc_code == RC_NOT_RUNNING and task not in ("stop", "migrate_to", "notify"):
        # "not running" as expected (whatever the operation): stopped, failures cleared
        hist.role = ROLE_STOPPED
        hist.on_fail = "none"
        return
    if task == "monitor":
        if op.rc_code == RC_NOT_RUNNING:
            hist.role = ROLE_STOPPED
            hist.on_fail = "none"
        elif op.rc_code in (RC_RUNNING_PROMOTED, RC_DEGRADED_PROMOTED):
            hist.role = ROLE_PROMOTED
        elif hist.role < ROLE_STARTED:
            hist.role = _active_role(promotable)
    elif task in ("start", "migrate_from"):
        hist.role = _active_role(promotable)
        clear = True
    elif task == "stop":
        hist.role = ROLE_STOPPED
        clear = True
    elif task == "migrate_to":
        # still active here until a stop says otherwise (the scheduler works out where
        # a migration left the resource from both nodes' histories)
        if hist.role < ROLE_STARTED:
            hist.role = _active_role(promotable)
    elif task == "promote":
        hist.role = ROLE_PROMOTED
        clear = True
    elif task == "demote":
        hist.role = ROLE_UNPROMOTED
        clear = hist.on_fail == "demote"
    elif hist.role < ROLE_STARTED and task not in ("notify", "meta-data", "delete"):
        hist.role = _active_role(promotable)
    if clear and hist.on_fail in _CLEARED_BY_SUCCESS:
        hist.on_fail = "none"


def hard_failure(op: OpRecord) -> str:
    """Pacemaker's hard and fatal failures (determine_op_status, unpack_rsc_op): "node"
    when the resource may not run on that node again (the agent is missing, lacks
    privileges, rejects its parameters; the executor reported it not installed or a hard
    error), "everywhere" when it may run nowhere (not configured, a fatal error), else ""
    (a recurring "unimplemented feature" is only not supported)."""
    status, rc = op.op_status, op.rc_code
    if status in (EXEC_DONE, EXEC_ERROR):
        if rc == RC_NOT_CONFIGURED:
            return "everywhere"
        if rc in _HARD_RCS and not (rc == 3 and op.interval_ms):
            return "node"
        return ""
    if status == EXEC_ERROR_FATAL:
        return "everywhere"
    if status in (EXEC_ERROR_HARD, EXEC_NOT_INSTALLED):
        return "node"
    return ""


def _apply_failure(hist: NodeHistory, op: OpRecord, on_fail: str, promotable: bool) -> None:
    task = op.operation
    scope = hard_failure(op)
    if scope and hist.banned != "everywhere":
        hist.banned = scope
    if ON_FAIL_ORDER.get(on_fail, 3) > ON_FAIL_ORDER.get(hist.on_fail, 0):
        hist.on_fail = on_fail
    hist.last_failure = op
    hist.failed_ops.append(op)
    if task == "stop":
        hist.stop_failed = True
    elif task == "promote":
        hist.role = ROLE_PROMOTED
    elif task == "demote":
        if on_fail == "block":
            hist.role = ROLE_PROMOTED
        elif op.rc_code == RC_NOT_RUNNING:
            hist.role = ROLE_STOPPED
        else:
            hist.role = ROLE_UNPROMOTED
    if _is_probe(op) and op.rc_code == RC_NOT_INSTALLED:
        hist.role = ROLE_STOPPED
    elif hist.role < ROLE_STARTED:
        hist.role = _active_role(promotable)
    if task == "monitor" and op.rc_code == RC_FAILED_PROMOTED:
        hist.role = ROLE_PROMOTED


def unpack_node_history(
    lrm: LrmResource,
    node: str,
    on_fail_for: OnFailResolver,
    *,
    promotable: bool = False,
    managed: bool = True,
    expired: Callable[[OpRecord], bool] | None = None,
) -> NodeHistory:
    """Replay ``lrm``'s operations on ``node`` and return the resulting state.

    ``expired(op)``, called for every completed operation, says whether it is older than
    the resource's failure timeout (the caller decides, and may note fail counts to clear);
    an expired failure is ignored (listed in ``expired_ops``).
    """
    hist = NodeHistory(node=node)
    for op in sorted_ops(lrm):
        verdict = judge(op, managed=managed)
        if verdict == "cancelled":
            continue
        if verdict == "pending":
            hist.pending = op.operation
            if op.operation in ("start", "promote", "migrate_from") and hist.role < ROLE_STARTED:
                hist.role = _active_role(promotable)
            continue
        gone = expired is not None and expired(op)
        if verdict == "done":
            hist.seen = True
            _apply_success(hist, op, promotable)
            continue
        if gone and op.rc_code != _expected_rc(op):
            hist.expired_ops.append(op)
            continue
        hist.seen = True
        configured = on_fail_for(op.operation, op.interval_ms)
        pretend = configured == "ignore" or (
            configured == "restart-container" and op.operation == "stop"
        )
        if pretend and op.op_status in (EXEC_DONE, EXEC_ERROR):
            # Pacemaker pretends the operation returned what was expected (a filler's
            # failed stop too: its container is restarted instead).
            hist.failure_ignored = True
            hist.failed_ops.append(op)
            _apply_success(hist, _as_expected(op), promotable)
            if configured == "restart-container" and ON_FAIL_ORDER.get(hist.on_fail, 0) <= 3:
                hist.on_fail = configured
            continue
        _apply_failure(hist, op, configured, promotable)
    if hist.role == ROLE_UNKNOWN:
        hist.role = ROLE_STOPPED
    return hist


def per_op_fail_counts(crm_feature_set: str | None) -> bool:
    """Whether a CIB counts per-operation ``fail-count-<rsc>#<op>_<interval>`` attributes.

    Pacemaker does (exclusively) for CIBs with ``crm_feature_set`` >= 3.0.13; older (or
    absent) feature sets use the legacy ``fail-count-<rsc>`` attribute alone.
    """
    if not crm_feature_set:
        return False
    parts: list[int] = []
    for piece in crm_feature_set.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts[:3]) >= (3, 0, 13)


def fail_count(
    transient: dict[str, str],
    names: tuple[str, ...],
    *,
    now_epoch: float | None = None,
    failure_timeout_s: int = 0,
    per_op: bool = True,
    any_instance: bool = False,
) -> int:
    """Sum of the fail-count attributes of ``names``.

    With ``any_instance`` (an anonymous clone instance, ``names`` holding its name without
    instance number) ``fail-count-<name>:<n>`` counts for every instance number ``n``, as
    Pacemaker's failure patterns for anonymous clones say.

    With ``per_op`` (CIBs with crm_feature_set >= 3.0.13) only the per-operation
    ``fail-count-<name>#<op>_<interval>`` attributes count; otherwise (legacy) only
    ``fail-count-<name>``.

    With ``failure_timeout_s`` > 0 and ``now_epoch`` given, counts whose matching
    ``last-failure-*`` attribute is older than the timeout are ignored (expired).
    Values are scores (``INFINITY`` allowed); the sum saturates at 1000000.
    """
    total = 0
    for attr, value in transient.items():
        if not attr.startswith("fail-count-"):
            continue
        rest = attr[len("fail-count-") :]
        base = rest.split("#", 1)[0]
        if per_op == (base == rest):
            continue
        if base not in names:
            head, colon, number = base.rpartition(":")
            if not (any_instance and colon and number.isdigit() and head in names):
                continue
        count = _score(value)
        if count <= 0:
            continue
        if failure_timeout_s > 0 and now_epoch is not None:
            last = transient.get("last-failure-" + rest)
            expired = (
                last is not None
                and last.lstrip("-").isdigit()
                and int(last) + failure_timeout_s <= now_epoch
            )
            if expired:
                continue
        total = min(1_000_000, total + count)
    return total


def _score(text: str) -> int:
    low = text.strip().lower()
    if low in ("infinity", "+infinity", "inf", "+inf"):
        return 1_000_000
    if low in ("-infinity", "-inf"):
        return -1_000_000
    try:
        return max(-1_000_000, min(1_000_000, int(low)))
    except ValueError:
        return 0


def _active_window(ops: list[OpRecord]) -> tuple[int, int]:
    """Pacemaker's calculate_active_ops: (start index, stop index) in ``ops``."""
    start_index = stop_index = -1
    implied_monitor = implied_clone = -1
    for index, op in enumerate(ops):
        task = op.operation
        if task == "stop" and op.op_status == EXEC_DONE:
            stop_index = index
        elif task in ("start", "migrate_from"):
            start_index = index
        elif implied_monitor <= stop_index and task == "monitor":
            if op.rc_code in (RC_OK, RC_RUNNING_PROMOTED):
                implied_monitor = index
        elif task in ("promote", "demote"):
            implied_clone = index
    if start_index == -1:
        start_index = implied_clone if implied_clone != -1 else implied_monitor
    return start_index, stop_index


def active_since_start(lrm: LrmResource) -> list[OpRecord]:
    """The operations recorded since the resource last started (none when a later
    successful stop ended it): the ones Pacemaker checks for definition changes."""
    return active_windows(lrm)[0]


def active_windows(lrm: LrmResource) -> tuple[list[OpRecord], list[OpRecord]]:
    """(:func:`active_since_start`, :func:`active_recurring`) from one sort."""
    ops = sorted_ops(lrm)
    start_index, stop_index = _active_window(ops)
    since = [] if start_index < stop_index else ops[max(start_index, 0) :]
    recurring: list[OpRecord] = []
    for index, op in enumerate(ops):
        if start_index < stop_index and index <= stop_index:
            continue
        if index < start_index or op.interval_ms == 0 or op.op_status == EXEC_PENDING:
            continue
        recurring.append(op)
    return since, recurring


def active_recurring(lrm: LrmResource) -> list[OpRecord]:
    """The recurring operations still active in ``lrm``'s history (Pacemaker's
    calculate_active_ops + process_recurring): those recorded since the resource last
    started (a start or migrate_from; else a promote/demote, else a probe that found it
    running after the last stop), unless a later successful stop ended them.  Pending
    records do not count."""
    return active_windows(lrm)[1]
