"""The fencer: "fence node X" -> fence agent runs -> one outcome (sans-I/O).

It does on one node what Pacemaker 2.1.5's fencer does for a fencing request, with the
devices registered on that node (:meth:`Fencer.set_devices`, CIB order):

1. **query**: for every device, the agent's meta-data (once per agent, cached; a failed
   meta-data leaves the agent's capabilities unknown, as Pacemaker does), then whether it
   can fence the target (:func:`pycrm.fencing.device.eligibility`): at once for
   ``static-list``/``none``; by running ``list`` (cached 60 s) or ``status`` otherwise;
2. **fence**: with the first capable device, the action (a ``reboot`` the agent cannot
   do is run as ``off``) after the delay -- the requested one (``priority-fencing-delay``)
   on the first device only, plus each device's ``pcmk_delay_base``/``pcmk_delay_max`` --
   with the device's timeout for the action (``pcmk_<action>_timeout``, else the request's
   ``stonith-timeout``); a failed run is retried after 1 s (``pcmk_<action>_retries``,
   default 2 runs in all) while less than 70% of the timeout has passed and it did not time
   out; then the next capable device is tried;
3. **outcome**: success with the device that did it, or failure with the last result
   (no capable device: op-status "No fence device", no delegate).  As Pacemaker 2.1.5's
   fencer (checked with a real one), a failure's exit reason is "Fence agent did not
   complete within <N>s" for a timeout and empty otherwise; the agent's own last error
   line is kept apart (``agent_error``) for the log.

Agent runs are executor requests of class ``stonith`` (see
:mod:`pycrm.daemon.executor.stonith`), ``rsc_id`` the device id so that runs on one device
never overlap (Pacemaker's default ``pcmk_action_limit`` of 1), tagged with meta
``fence_op`` and ``fence_step``.  The caller submits :meth:`take_requests` to its executor,
feeds every result back with :meth:`on_result` (it ignores results that are not its own)
and collects :meth:`take_outcomes`.  ``now`` is monotonic seconds; ``wall`` stamps times.

Not modelled: fencing topology (levels), unfencing, asking other nodes' fencers (the
caller picks the node that fences and gives it the devices it may use), the fencer-wide
operation timeout (each run has its own).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pycrm.daemon.executor.codes import (
    EXEC_DONE,
    EXEC_ERROR,
    EXEC_NO_FENCE_DEVICE,
    EXEC_TIMEOUT,
    OCF_OK,
)
from pycrm.daemon.executor.request import OpRequest, OpResult
from pycrm.daemon.executor.stonith import HOST_ARG, TARGET, TARGET_ID
from pycrm.fencing.device import (
    METADATA_TIMEOUT_S,
    RETRY_FRACTION,
    AgentInfo,
    FenceDevice,
    ListState,
    after_list,
    eligibility,
    status_says_capable,
)
from pycrm.fencing.history import FenceEvent

OP = "fence_op"
STEP = "fence_step"
CLIENT = "pycrm-controld"
RETRY_PAUSE_MS = 1000  # Pacemaker sleeps 1 s before retrying a failed agent run
FENCE_ACTIONS = ("reboot", "off", "on")


@dataclass(frozen=True)
class FenceRequest:
    """Fence ``target``: ``timeout_s`` is ``stonith-timeout`` (the default timeout of each
    agent run), ``delay_s`` the requested delay (``priority-fencing-delay``; -1 disables
    every delay, the devices' too)."""

    op_id: str
    target: str
    action: str = "reboot"
    timeout_s: int = 60
    delay_s: int = 0
    origin: str = ""  # the node that asked (the DC)
    client: str = CLIENT
    allow_suicide: bool = False
    target_nodeid: str = ""

    def __post_init__(self) -> None:
        if self.action not in FENCE_ACTIONS:
            raise ValueError(f"fence action must be one of {FENCE_ACTIONS}, not {self.action!r}")
        if self.timeout_s < 1:
            raise ValueError("fence timeout must be at least 1 s")


@dataclass(frozen=True)
class FenceOutcome:
    """How a :class:`FenceRequest` ended."""

    request: FenceRequest
    ok: bool
    executioner: str  # the node whose fencer ran it
    device: str | None  # the device that fenced (or failed last); None: no capable device
    exit_status: int  # 0 success, 1 failure
    exec_status: int  # executor status: done, timed out, no fence device, error ...
    exit_reason: str  # Pacemaker's: "Fence agent did not complete within Ns", else ""
    started: float  # wall clock
    completed: float
    agent_error: str = ""  # the agent's last ERROR line (for the log; Pacemaker logs it)

    def event(self) -> FenceEvent:
        """The history entry, as Pacemaker's fencer records it: the delegate only when a
        device was used; the exit reason only for a timeout."""
        req = self.request
        return FenceEvent(
            target=req.target,
            action=req.action,
            state="done" if self.ok else "failed",
            origin=req.origin,
            client=req.client,
            delegate=self.executioner if self.device is not None else None,
            completed=self.completed,
            exit_reason=self.exit_reason,
            exec_status=self.exec_status,
            device=self.device,
            op_id=req.op_id,
        )


@dataclass(eq=False)
class _Op:
    req: FenceRequest
    started_wall: float
    verdicts: dict[str, bool] = field(default_factory=dict)  # device -> capable?
    waiting: set[str] = field(default_factory=set)  # steps in flight ("list:dev", ...)
    capable: list[str] = field(default_factory=list)
    index: int = -1  # into capable (-1: still querying)
    tries: int = 0
    attempt_started: float = 0.0
    timeout_s: int = 0
    last: tuple[int, int, str, str] = (1, EXEC_NO_FENCE_DEVICE, "", "")
    no_metadata: set[str] = field(default_factory=set)  # agents whose meta-data failed


class Fencer:
    def __init__(
        self,
        node: str,
        *,
        wall: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.node = node
        self._wall = wall
        self._rng = rng or random.Random()  # noqa: S311 - fencing delays, not secrets
        self.devices: list[FenceDevice] = []
        self.agents: dict[str, AgentInfo] = {}  # agent -> what its meta-data said
        self.lists: dict[str, ListState] = {}  # device id -> its last list
        self._meta_wanted: dict[str, list[str]] = {}  # agent -> ops waiting for it
        self._ops: dict[str, _Op] = {}
        self._requests: list[OpRequest] = []
        self._outcomes: list[FenceOutcome] = []

    # ------------------------------------------------------------------ inputs
    def set_devices(self, devices: Sequence[FenceDevice]) -> None:
        """The devices this node may use, in CIB order (a changed device forgets its
        cached list)."""
        old = {d.id: d for d in self.devices}
        self.lists = {
            d.id: self.lists[d.id] for d in devices if d.id in self.lists and old.get(d.id) == d
        }
        self.devices = list(devices)

    def fence(self, req: FenceRequest, now: float) -> None:
        if req.op_id in self._ops:
            raise ValueError(f"fence operation {req.op_id} is already running")
        op = _Op(req, self._wall())
        self._ops[req.op_id] = op
        self._query(op, now)

    def on_result(self, result: OpResult, now: float) -> bool:
        """Feed an executor result; False when it is not one of this fencer's runs."""
        req = result.request
        op_id, step = req.meta.get(OP), req.meta.get(STEP)
        if req.rsc_class != "stonith" or op_id is None or step is None:
            return False
        if step == "metadata":
            self._metadata_done(req.agent, result, now)
            return True
        op = self._ops.get(op_id)
        if op is None:
            return True  # an operation that ended meanwhile
        op.waiting.discard(f"{step}:{req.rsc_id}")
        if step == "list":
            self._list_done(op, req.rsc_id, result, now)
        elif step == "status":
            done = result.op_status == EXEC_DONE
            op.verdicts[req.rsc_id] = status_says_capable(result.rc, done)
            self._query(op, now)
        elif step == "fence":
            self._fence_done(op, result, now)
        return True

    # ----------------------------------------------------------------- outputs
    def take_requests(self) -> list[OpRequest]:
        out, self._requests = self._requests, []
        return out

    def take_outcomes(self) -> list[FenceOutcome]:
        out, self._outcomes = self._outcomes, []
        return out

    def pending(self) -> list[FenceRequest]:
        """Operations still running (for a pending entry in the history)."""
        return [op.req for op in self._ops.values()]

    # --------------------------------------------------------------- internals
    def _device(self, device_id: str) -> FenceDevice | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def _run(
        self,
        op_id: str,
        step: str,
        device: FenceDevice,
        action: str,
        timeout_s: int,
        *,
        target: str | None = None,
        delay_s: int = 0,
        delay_ms: int | None = None,
    ) -> None:
        meta = {OP: op_id, STEP: step}
        op = self._ops.get(op_id)
        info = self._info(op, device.agent) or AgentInfo()
        if target is not None:
            meta[TARGET] = target
            meta[HOST_ARG] = info.host_arg or ""
            if info.include_nodeid and op is not None and op.req.target_nodeid:
                meta[TARGET_ID] = op.req.target_nodeid
        self._requests.append(
            OpRequest(
                rsc_id=device.id,
                rsc_class="stonith",
                agent=device.agent,
                action=action,
                node=self.node,
                timeout_ms=max(timeout_s, 1) * 1000,
                start_delay_ms=delay_s * 1000 if delay_ms is None else delay_ms,
                params=dict(device.params),
                meta=meta,
            )
        )

    def _query(self, op: _Op, now: float) -> None:
        """Ask what is still unknown; when everything is known, start fencing."""
        if op.index >= 0:
            return
        req = op.req
        for device in self.devices:
            if op.verdicts.get(device.id) is not None:
                continue
            info = self._info(op, device.agent)
            if info is None:
                waiters = self._meta_wanted.setdefault(device.agent, [])
                if not waiters:
                    self._run(req.op_id, "metadata", device, "meta-data", METADATA_TIMEOUT_S)
                if req.op_id not in waiters:
                    waiters.append(req.op_id)
                continue
            state = self.lists.get(device.id, ListState())
            answer = eligibility(
                device,
                info,
                state,
                req.target,
                req.action,
                local_node=self.node,
                allow_suicide=req.allow_suicide,
                now=now,
            )
            if answer in ("yes", "no"):
                op.verdicts[device.id] = answer == "yes"
                continue
            key = f"{answer}:{device.id}"
            if key in op.waiting:
                continue
            op.waiting.add(key)
            timeout = device.timeout(answer, req.timeout_s, info)
            self._run(req.op_id, answer, device, answer, timeout, target=req.target)
        if any(op.verdicts.get(d.id) is None for d in self.devices):
            return
        op.capable = [d.id for d in self.devices if op.verdicts.get(d.id)]
        op.index = 0
        self._attempt(op, now, first=True)

    def _info(self, op: _Op | None, agent: str) -> AgentInfo | None:
        """What the agent supports; None while its meta-data is still to be read.  After a
        failed meta-data the operation goes on with unknown capabilities (as Pacemaker);
        the next operation asks again."""
        info = self.agents.get(agent)
        if info is None and op is not None and agent in op.no_metadata:
            return AgentInfo()
        return info

    def _metadata_done(self, agent: str, result: OpResult, now: float) -> None:
        info = AgentInfo()
        if result.op_status == EXEC_DONE and result.rc == OCF_OK:
            try:
                info = AgentInfo.from_metadata(result.output)
            except ValueError:
                info = AgentInfo()
        if info.known:
            self.agents[agent] = info
        for op_id in self._meta_wanted.pop(agent, []):
            op = self._ops.get(op_id)
            if op is None:
                continue
            if not info.known:
                op.no_metadata.add(agent)
            self._query(op, now)

    def _list_done(self, op: _Op, device_id: str, result: OpResult, now: float) -> None:
        device = self._device(device_id)
        if device is None:
            op.verdicts[device_id] = False
        else:
            ok = result.op_status == EXEC_DONE and result.rc == OCF_OK
            state, can = after_list(
                device,
                self.lists.get(device_id, ListState()),
                op.req.target,
                ok=ok,
                output=result.output,
                now=now,
            )
            self.lists[device_id] = state
            op.verdicts[device_id] = can
        self._query(op, now)

    def _attempt(self, op: _Op, now: float, *, first: bool, retry: bool = False) -> None:
        """Run the fencing action with the current device (or end the operation)."""
        req = op.req
        while op.index < len(op.capable):
            device = self._device(op.capable[op.index])
            if device is not None:
                break
            op.index += 1
        else:
            self._finish(op, ok=False, device=op.capable[-1] if op.capable else None)
            return
        info = self._info(op, device.agent) or AgentInfo()
        action = device.agent_action(req.action, info)
        if retry:
            remaining = op.timeout_s - int(now - op.attempt_started)
            self._run(
                req.op_id,
                "fence",
                device,
                action,
                remaining,
                target=req.target,
                delay_ms=RETRY_PAUSE_MS,
            )
            return
        op.tries = 0
        op.timeout_s = device.timeout(req.action, req.timeout_s, info)
        requested = req.delay_s if first else (0 if req.delay_s >= 0 else -1)
        delay = device.start_delay(action, req.target, requested, self._rng)
        op.attempt_started = now + delay
        self._run(req.op_id, "fence", device, action, op.timeout_s, target=req.target,
                  delay_s=delay)  # fmt: skip

    def _fence_done(self, op: _Op, result: OpResult, now: float) -> None:
        device_id = op.capable[op.index]
        op.tries += 1
        if result.op_status == EXEC_DONE and result.rc == OCF_OK:
            op.last = (0, EXEC_DONE, "", "")
            self._finish(op, ok=True, device=device_id)
            return
        exec_status = EXEC_ERROR if result.op_status == EXEC_DONE else result.op_status
        reason = ""
        if result.op_status == EXEC_TIMEOUT:
            reason = f"Fence agent did not complete within {result.request.timeout_ms // 1000}s"
        op.last = (1, exec_status, reason, result.exit_reason)
        device = self._device(device_id)
        elapsed = now - op.attempt_started
        if (
            device is not None
            and op.tries < device.retries(result.request.action)
            and result.op_status != EXEC_TIMEOUT
            and elapsed < op.timeout_s * RETRY_FRACTION
        ):
            self._attempt(op, now, first=False, retry=True)
            return
        op.index += 1
        if op.index >= len(op.capable):
            self._finish(op, ok=False, device=device_id)
            return
        self._attempt(op, now, first=False)

    def _finish(self, op: _Op, *, ok: bool, device: str | None) -> None:
        del self._ops[op.req.op_id]
        exit_status, exec_status, reason, agent_error = op.last
        self._outcomes.append(
            FenceOutcome(
                request=op.req,
                ok=ok,
                executioner=self.node,
                device=device,
                exit_status=exit_status,
                exec_status=exec_status,
                exit_reason=reason,
                started=op.started_wall,
                completed=self._wall(),
                agent_error=agent_error,
            )
        )
