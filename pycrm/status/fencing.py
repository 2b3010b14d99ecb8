"""The fencing history in a status, as ``crm_mon`` 2.1.5 shows it (formatting only).

``crm_mon --fence-history=LEVEL`` (``-m``): 0 nothing; 1 (the default) the failed and the
pending actions, each the "last" of its kind; 2 also the successful ones; 3 the full history
(levels below 3 keep only the newest event per target and action,
:func:`pycrm.fencing.history.reduce_history`).  Checked against crm_mon 2.1.5 with a real
fencer (tests/realproc/test_fencing_pacemaker.py).
Text sections, in crm_mon's places: "Failed Fencing Actions:" after the failed resource
actions, then "Pending Fencing Actions:" (level 1) or "Fencing History:" (levels 2 and 3,
every event that did not fail) at the end.  One line per event::

    * reboot of node2 by node1 for pycrm-controld@node1 last failed (<reason>) at <time>
    * reboot of node2 by node1 for pycrm-controld@node1 successful at <time>
    * turning off of node3 for pycrm-controld@node1 last pending

(``stonith__history_description``: the action -- ``on`` is "unfencing", ``off`` "turning
off" --, the delegate for a finished event, ``client@origin``, "last" at level 1, the
state and a failure's exit reason, the completion time; "(a later attempt from X
succeeded)" after a failure that a later success of the same fencing superseded.)
XML: ``<fence_history>`` with one ``<fence_event>`` per event (crm_mon's
``fence-event-2.15.rng``), every reduced event whatever the level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from pycrm.fencing.history import FenceEvent, later_succeeded, reduce_history, sort_history
from pycrm.status.words import iso_time

DEFAULT_LEVEL = 1
_STATE_WORDS = {"failed": "failed", "done": "successful", "pending": "pending"}
_XML_STATUS = {"failed": "failed", "done": "success", "pending": "pending"}
_PENDING_EXTENDED = "1"  # st_query: Pacemaker shows a pending event's internal state


def action_text(action: str) -> str:
    """Pacemaker's ``stonith_action_str``."""
    return {"on": "unfencing", "off": "turning off"}.get(action, action or "fencing")


def shown(events: Sequence[FenceEvent], level: int) -> list[FenceEvent]:
    ordered = sort_history(events)
    return ordered if level >= 3 else reduce_history(ordered)


def describe(ev: FenceEvent, *, full: bool, later: str | None) -> str:
    text = f"{action_text(ev.action)} of {ev.target}"
    if ev.finished and ev.delegate:
        text += f" by {ev.delegate}"
    text += f" for {ev.client}@{ev.origin}"
    if not full:
        text += " last"
    text += f" {_STATE_WORDS[ev.state]}"
    if ev.state == "failed" and ev.exit_reason:
        text += f" ({ev.exit_reason})"
    if ev.finished and ev.completed is not None:
        text += f" at {iso_time(int(ev.completed))}"
    if ev.state == "failed" and later is not None:
        text += f" (a later attempt from {later} succeeded)"
    return text


def failed_lines(events: Sequence[FenceEvent], level: int = DEFAULT_LEVEL) -> list[str]:
    """The "Failed Fencing Actions" section (empty when there is none)."""
    if level <= 0:
        return []
    history = shown(events, level)
    rows = [
        "  * " + describe(ev, full=level >= 2, later=later_succeeded(ev, history))
        for ev in history
        if ev.state == "failed"
    ]
    return ["Failed Fencing Actions:", *rows] if rows else []


def history_lines(events: Sequence[FenceEvent], level: int = DEFAULT_LEVEL) -> list[str]:
    """ "Pending Fencing Actions" (level 1) or "Fencing History" (levels 2 and 3)."""
    if level <= 0:
        return []
    history = shown(events, level)
    full = level >= 2
    if level >= 2:
        rows = [
            "  * " + describe(ev, full=full, later=later_succeeded(ev, history))
            for ev in history
            if ev.state != "failed"
        ]
        return ["Fencing History:", *rows] if rows else []
    pending = []
    for ev in history:
        if ev.finished:
            break
        pending.append("  * " + describe(ev, full=full, later=None))
    return ["Pending Fencing Actions:", *pending] if pending else []


def add_xml(root: etree._Element, events: Sequence[FenceEvent], level: int) -> None:
    """``<fence_history>`` (only when there is an event and the level is not 0)."""
    history = shown(events, level) if level > 0 else []
    if not history:
        return
    parent = etree.SubElement(root, "fence_history")
    for ev in history:
        attrs = {
            "action": ev.action,
            "target": ev.target,
            "client": ev.client,
            "origin": ev.origin,
            "status": _XML_STATUS[ev.state],
        }
        if ev.state == "failed" and ev.exit_reason:
            attrs["exit-reason"] = ev.exit_reason
        if ev.state == "pending":
            attrs["extended-status"] = _PENDING_EXTENDED
        if ev.delegate:
            attrs["delegate"] = ev.delegate
        if ev.finished and ev.completed is not None:
            attrs["completed"] = iso_time(int(ev.completed))
        etree.SubElement(parent, "fence_event", attrs)


def json_events(events: Sequence[FenceEvent], level: int) -> list[dict[str, Any]]:
    history = shown(events, level) if level > 0 else []
    return [
        {
            "action": ev.action,
            "target": ev.target,
            "client": ev.client,
            "origin": ev.origin,
            "status": _XML_STATUS[ev.state],
            "delegate": ev.delegate,
            "completed": ev.completed,
            "exit_reason": ev.exit_reason,
            "device": ev.device,
        }
        for ev in history
    ]
