"""One-line verdicts for the log: what a transition does and why (Patroni style).

moved web-group to node2: node1 left; quorum 2/3
started vip on node1, started web on node1: elected DC; quorum 2/2
fence node1 (reboot: peer is no longer part of the cluster), moved web to node2: node1 left ...
"""

from __future__ import annotations

from collections.abc import Sequence

from pycrm.scheduler import SummaryLine, Transition

_VERBS = {
    "Start": "started",
    "Stop": "stopped",
    "Move": "moved",
    "Recover": "recovered",
    "Restart": "restarted",
    "Promote": "promoted",
    "Demote": "demoted",
    "Re-promote": "re-promoted",
    "Migrate": "migrated",
    "Reload": "reloaded",
}


def _where(line: SummaryLine) -> str:
    if line.verb in ("Stop",):
        return f" on {line.from_node}" if line.from_node else ""
    if line.verb in ("Move", "Migrate") and line.to_node:
        return f" to {line.to_node}"
    node = line.to_node or line.from_node
    return f" on {node}" if node else ""


def _phrases(transition: Transition) -> list[str]:
    groups: dict[str, list[SummaryLine]] = {}
    members: dict[str, int] = {}
    for state in transition.current:
        if state.group is not None and state.clone is None:
            members[state.group] = members.get(state.group, 0) + 1
    group_of = {s.id: s.group for s in transition.current if s.clone is None}
    phrases: list[str] = []
    seen_groups: set[str] = set()
    for line in transition.summary:
        group = group_of.get(line.rsc)
        if group is not None:
            groups.setdefault(group, []).append(line)
    for line in transition.summary:
        if line.verb == "Fence":
            why = f": {line.reason}" if line.reason else ""
            phrases.append(f"fence {line.rsc} ({line.fence_action or 'reboot'}{why})")
            continue
        if line.blocked:
            phrases.append(f"cannot {line.verb.lower()} {line.rsc} ({line.reason or 'blocked'})")
            continue
        group = group_of.get(line.rsc)
        lines = groups.get(group, []) if group is not None else []
        same = {(lg.verb, lg.from_node, lg.to_node) for lg in lines}
        if group is not None and len(lines) == members.get(group) and len(same) == 1:
            if group in seen_groups:
                continue
            seen_groups.add(group)
            phrases.append(f"{_VERBS.get(line.verb, line.verb.lower())} {group}{_where(line)}")
            continue
        phrases.append(f"{_VERBS.get(line.verb, line.verb.lower())} {line.rsc}{_where(line)}")
    return phrases


def describe_transition(transition: Transition, reasons: Sequence[str], quorum: str) -> str:
    phrases = _phrases(transition)
    if not phrases:
        actions = [a for a in transition.actions if not a.pseudo]
        probes = sum(1 for a in actions if a.task == "monitor" and a.interval_ms == 0)
        monitors = sum(1 for a in actions if a.task == "monitor" and a.interval_ms > 0)
        parts = []
        if probes:
            parts.append(f"{probes} probes")
        if monitors:
            parts.append(f"{monitors} monitors")
        other = len(actions) - probes - monitors
        if other:
            parts.append(f"{other} other actions")
        phrases = ["running " + ", ".join(parts)] if parts else ["nothing to do"]
    why = ", ".join(reasons) if reasons else "recheck"
    return f"{', '.join(phrases)}: {why}; {quorum}"
