"""The fencing history: what was fenced, by whom, for whom, how it ended (pure).

Pacemaker keeps it in the fencers (not in the CIB) and ``crm_mon`` shows it; pycrm's daemon
keeps a :class:`FenceHistory` and ships it in the status snapshot (``fence_history``).  An
event is Pacemaker's ``stonith_history_t``: ``target``, ``action``, ``state``
(``pending`` / ``done`` / ``failed``), ``origin`` (the node that asked), ``client`` (who
asked there), ``delegate`` (the node that ran the agent), ``completed`` (epoch seconds) and
the failure's ``exit_reason``.

Ordering and reduction as Pacemaker 2.1.5's ``stonith__sort_history`` (pending events
first, then completed ones newest first) and ``stonith__reduce_fence_history`` (crm_mon
below ``--fence-history=3``: per target and action only the newest success, and the newest
failure per delegate).  :func:`later_succeeded` names the delegate of a later success of
the same fencing (crm_mon's "(a later attempt from X succeeded)").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STATES = ("pending", "done", "failed")
HISTORY_LIMIT = 500  # Pacemaker's fencer keeps at most this many events (stonith_max_history)


@dataclass(frozen=True)
class FenceEvent:
    target: str
    action: str  # reboot | off | on
    state: str  # one of STATES
    origin: str
    client: str
    delegate: str | None = None
    completed: float | None = None  # epoch seconds (done/failed only)
    exit_reason: str = ""
    exec_status: int = 0
    device: str | None = None
    op_id: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"fence event: unknown state {self.state!r}")

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "action": self.action,
            "state": self.state,
            "origin": self.origin,
            "client": self.client,
            "delegate": self.delegate,
            "completed": self.completed,
            "exit_reason": self.exit_reason,
            "exec_status": self.exec_status,
            "device": self.device,
            "op_id": self.op_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FenceEvent:
        """Inverse of to_dict; ValueError naming the bad field."""
        completed = data.get("completed")
        if completed is not None and (
            isinstance(completed, bool) or not isinstance(completed, int | float)
        ):
            raise ValueError("fence event: completed: wrong type")
        status = data.get("exec_status", 0)
        if isinstance(status, bool) or not isinstance(status, int):
            raise ValueError("fence event: exec_status: wrong type")
        return cls(
            target=_text(data, "target"),
            action=_text(data, "action"),
            state=_text(data, "state"),
            origin=_text(data, "origin"),
            client=_text(data, "client"),
            delegate=_opt_text(data, "delegate"),
            completed=None if completed is None else float(completed),
            exit_reason=_text(data, "exit_reason", ""),
            exec_status=status,
            device=_opt_text(data, "device"),
            op_id=_text(data, "op_id", ""),
        )


def _text(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise ValueError(f"fence event: {name}: wrong type")
    return value


def _opt_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"fence event: {name}: wrong type")
    return value


def sort_history(events: Iterable[FenceEvent]) -> list[FenceEvent]:
    """Pending events first (newest started first), then finished ones newest first."""
    items = list(events)
    pending = [e for e in reversed(items) if not e.finished]
    done = sorted((e for e in items if e.finished), key=lambda e: -(e.completed or 0.0))
    return pending + done


def reduce_history(events: Sequence[FenceEvent]) -> list[FenceEvent]:
    """Keep, for each target and action, the newest success and the newest failure per
    delegate (``events`` sorted by :func:`sort_history`); pending events all stay."""
    kept: list[FenceEvent] = []
    for ev in events:
        if ev.finished and any(
            k.target.lower() == ev.target.lower()
            and k.action == ev.action
            and k.state == ev.state
            and (ev.state == "done" or (k.delegate or "").lower() == (ev.delegate or "").lower())
            for k in kept
        ):
            continue
        kept.append(ev)
    return kept


def later_succeeded(event: FenceEvent, history: Sequence[FenceEvent]) -> str | None:
    """The delegate of a success of the same fencing completed after ``event``."""
    if event.completed is None:
        return None
    for other in history:
        if other is event:
            break
        if (
            other.state == "done"
            and other.target.lower() == event.target.lower()
            and other.action == event.action
            and other.completed is not None
            and other.completed > event.completed
        ):
            return other.delegate or ""
    return None


class FenceHistory:
    """The events a daemon keeps (at most ``limit``, the oldest finished ones dropped)."""

    def __init__(self, events: Iterable[FenceEvent] = (), limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self._events: list[FenceEvent] = list(events)

    def record(self, event: FenceEvent) -> None:
        """Add an event; one with the ``op_id`` of a pending event replaces it."""
        if event.op_id:
            for i, old in enumerate(self._events):
                if old.op_id == event.op_id and not old.finished:
                    self._events[i] = event
                    self._trim()
                    return
        self._events.append(event)
        self._trim()

    def pending(self, op_id: str, target: str, action: str, origin: str, client: str) -> FenceEvent:
        event = FenceEvent(target, action, "pending", origin, client, op_id=op_id)
        self.record(event)
        return event

    def __iter__(self) -> Iterator[FenceEvent]:
        """The events in the order they were recorded."""
        return iter(list(self._events))

    def __len__(self) -> int:
        return len(self._events)

    def events(self) -> list[FenceEvent]:
        """Sorted as crm_mon lists them (:func:`sort_history`)."""
        return sort_history(self._events)

    def last_fenced(self, target: str) -> float | None:
        """When ``target`` was last fenced successfully (``stonith_admin --last``)."""
        times = [
            e.completed
            for e in self._events
            if e.state == "done" and e.target.lower() == target.lower() and e.completed
        ]
        return max(times) if times else None

    def clear(self, target: str | None = None) -> None:
        """Forget finished events (of ``target``, or all): ``stonith_admin --cleanup``."""
        self._events = [
            e
            for e in self._events
            if not e.finished or (target is not None and e.target.lower() != target.lower())
        ]

    def to_list(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self._events]

    @classmethod
    def from_list(cls, data: object) -> FenceHistory:
        if not isinstance(data, list):
            raise ValueError("fence history: expected a list")
        return cls(
            FenceEvent.from_dict(item) if isinstance(item, dict) else _bad_item() for item in data
        )

    def _trim(self) -> None:
        excess = len(self._events) - self.limit
        if excess <= 0:
            return
        finished = sorted((e for e in self._events if e.finished), key=lambda e: e.completed or 0.0)
        drop = {id(e) for e in finished[:excess]}
        self._events = [e for e in self._events if id(e) not in drop]


def _bad_item() -> FenceEvent:
    raise ValueError("fence history: an event is not an object")
