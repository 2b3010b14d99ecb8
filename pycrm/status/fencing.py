"""Fencing history as crm_mon shows it: the seam between the fencer and `pycrm status`.

The daemon's fencer (the fencing issue) fills ``DaemonSnapshot.fencing`` with
:class:`FenceEvent` records, newest first as stonith_admin --history lists them; the status
renderers show them like crm_mon 2.1.5:

* text: "Failed Fencing Actions:" (failed events) and "Pending Fencing Actions:" (pending
  ones) by default, the successful ones under "Fencing History:" with ``--fence-history=2``
  and everything (with ``completed=`` times) with ``--fence-history=3``;
* XML: ``<fence_history>`` of ``<fence_event action target client origin status [delegate]
  [completed] [exit-reason]>`` (fence-event-2.15.rng), after the failures;
* JSON: ``"fence_history"``, the same fields, ``completed`` in epoch seconds.

Without a fencer the history is empty and nothing is shown, as crm_mon shows nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pycrm.status.words import crm_time

STATES = ("success", "failed", "pending")


@dataclass(frozen=True)
class FenceEvent:
    target: str
    action: str  # reboot | off | on
    state: str  # one of STATES
    client: str  # who asked, e.g. "pycrm-controld.1234"
    origin: str  # the node that asked
    delegate: str | None = None  # the node that carried it out
    completed: float | None = None  # epoch seconds (None while pending)
    exit_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "action": self.action,
            "state": self.state,
            "client": self.client,
            "origin": self.origin,
            "delegate": self.delegate,
            "completed": self.completed,
            "exit_reason": self.exit_reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FenceEvent:
        """Inverse of to_dict; ValueError naming the bad field."""

        def text(name: str) -> str:
            value = data.get(name)
            if not isinstance(value, str):
                raise ValueError(f"fence event: {name}: wrong type")
            return value

        state = text("state")
        if state not in STATES:
            raise ValueError(f"fence event: unknown state {state!r}")
        delegate = data.get("delegate")
        completed = data.get("completed")
        if delegate is not None and not isinstance(delegate, str):
            raise ValueError("fence event: delegate: wrong type")
        if completed is not None and (
            isinstance(completed, bool) or not isinstance(completed, int | float)
        ):
            raise ValueError("fence event: completed: wrong type")
        reason = data.get("exit_reason", "")
        return cls(
            target=text("target"),
            action=text("action"),
            state=state,
            client=text("client"),
            origin=text("origin"),
            delegate=delegate,
            completed=None if completed is None else float(completed),
            exit_reason=reason if isinstance(reason, str) else "",
        )


def later_succeeded(event: FenceEvent, history: Iterable[FenceEvent]) -> bool:
    """A failed action on the same target with the same action succeeded later."""
    if event.completed is None:
        return False
    return any(
        e.state == "success"
        and e.target == event.target
        and e.action == event.action
        and e.completed is not None
        and e.completed > event.completed
        for e in history
    )


def event_line(event: FenceEvent, history: tuple[FenceEvent, ...], full: bool) -> str:
    """crm_mon's line for one event (stonith-event, text)."""
    delegate = event.delegate or ""
    when = crm_time(event.completed) if event.completed is not None else ""
    if event.state == "failed":
        label = "completed" if full else "last-failed"
        later = "(a later attempt succeeded)" if later_succeeded(event, history) else ""
        return (
            f"  * {event.action} of {event.target} failed: delegate={delegate},"
            f" client={event.client}, origin={event.origin}, {label}='{when}' {later}"
        )
    if event.state == "success":
        label = "completed" if full else "last-successful"
        return (
            f"  * {event.action} of {event.target} successful: delegate={delegate},"
            f" client={event.client}, origin={event.origin}, {label}='{when}'"
        )
    return (
        f"  * {event.action} of {event.target} pending: client={event.client},"
        f" origin={event.origin}"
    )


def text_sections(history: tuple[FenceEvent, ...], level: int) -> list[list[str]]:
    """The text sections for ``--fence-history=level`` (0 none, 1 failed and pending,
    2 also the successful ones, 3 everything with completion times)."""
    if level <= 0 or not history:
        return []
    full = level >= 3
    failed = [event_line(e, history, full) for e in history if e.state == "failed"]
    pending = [event_line(e, history, full) for e in history if e.state == "pending"]
    sections: list[list[str]] = []
    if level >= 2:
        done = [event_line(e, history, full) for e in history if e.state != "failed"]
        if done:
            sections.append(["Fencing History:", *done])
    elif pending:
        sections.append(["Pending Fencing Actions:", *pending])
    if failed:
        sections.insert(0, ["Failed Fencing Actions:", *failed])
    return sections


def xml_attributes(event: FenceEvent) -> dict[str, str]:
    attrs = {
        "action": event.action,
        "target": event.target,
        "client": event.client,
        "origin": event.origin,
        "status": event.state,
    }
    if event.delegate is not None:
        attrs["delegate"] = event.delegate
    if event.state != "pending" and event.completed is not None:
        attrs["completed"] = crm_time(event.completed)
    if event.exit_reason:
        attrs["exit-reason"] = event.exit_reason
    return attrs
