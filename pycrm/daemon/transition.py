"""Run a scheduler transition: actions in edge order, abort on surprise (no I/O).

An action becomes ready when every action ordered before it has completed.  Pseudo actions
(a group's ``running``, a clone's ``start`` ...) complete as soon as they are ready; every
other action is handed to ``dispatch``, which returns False when it cannot be sent (its node
left, for instance): that counts as a failure.  ``completed(action_id, ok)`` reports a result;
``ok`` means the rc was the expected one.

A failure, a timeout or :meth:`abort` stops dispatching; actions already in flight are waited
for, then the transition is finished and the controller plans again from the new state (as
Pacemaker's controller does: "transition aborted").  A dispatched action whose result does
not come back within its ``timeout_for`` deadline is treated as failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pycrm.scheduler.types import Action, Transition

WAITING = "waiting"
IN_FLIGHT = "in-flight"
DONE = "done"
FAILED = "failed"


@dataclass
class _Node:
    action: Action
    waiting_on: int
    succ: list[str] = field(default_factory=list)
    state: str = WAITING
    deadline: float | None = None


class TransitionRunner:
    def __init__(
        self,
        tid: int,
        transition: Transition,
        *,
        dispatch: Callable[[Action], bool],
        timeout_for: Callable[[Action], float],
    ) -> None:
        self.tid = tid
        self.transition = transition
        self.dispatch = dispatch
        self.timeout_for = timeout_for
        self.aborted: str | None = None
        self.failures: list[str] = []
        self._nodes: dict[str, _Node] = {a.id: _Node(a, 0) for a in transition.actions}
        for edge in transition.edges:
            before = self._nodes.get(edge.before)
            after = self._nodes.get(edge.after)
            if before is None or after is None:
                continue
            before.succ.append(edge.after)
            after.waiting_on += 1
        self._ready: list[str] = [a.id for a in transition.actions]
        self._number = {a.id: i for i, a in enumerate(transition.actions)}
        self.started = False

    # ------------------------------------------------------------------ queries
    @property
    def in_flight(self) -> list[Action]:
        return [n.action for n in self._nodes.values() if n.state == IN_FLIGHT]

    @property
    def finished(self) -> bool:
        if any(n.state == IN_FLIGHT for n in self._nodes.values()):
            return False
        if self.aborted is not None:
            return True
        return all(n.state in (DONE, FAILED) for n in self._nodes.values())

    @property
    def real_actions(self) -> list[Action]:
        return [a for a in self.transition.actions if not a.pseudo]

    def counts(self) -> dict[str, int]:
        out = {WAITING: 0, IN_FLIGHT: 0, DONE: 0, FAILED: 0}
        for node in self._nodes.values():
            if not node.action.pseudo:
                out[node.state] += 1
        return out

    def number(self, action_id: str) -> int:
        """The action's number in the graph (the first field of its transition key)."""
        return self._number.get(action_id, 0)

    def action(self, action_id: str) -> Action | None:
        node = self._nodes.get(action_id)
        return node.action if node is not None else None

    # ------------------------------------------------------------------ driving
    def start(self, now: float) -> None:
        self.started = True
        self._run(now)

    def _run(self, now: float) -> None:
        while self._ready and self.aborted is None:
            ready, self._ready = self._ready, []
            for aid in ready:
                node = self._nodes[aid]
                if node.state != WAITING or node.waiting_on > 0:
                    continue
                if node.action.pseudo:
                    node.state = DONE
                    self._release(node)
                    continue
                node.state = IN_FLIGHT
                node.deadline = now + self.timeout_for(node.action)
                if not self.dispatch(node.action):
                    self._fail(node, "could not be dispatched")
                    return

    def _release(self, node: _Node) -> None:
        for aid in node.succ:
            succ = self._nodes[aid]
            succ.waiting_on -= 1
            if succ.waiting_on == 0:
                self._ready.append(aid)

    def _fail(self, node: _Node, why: str) -> None:
        node.state = FAILED
        self.failures.append(f"{node.action.id}: {why}")
        if self.aborted is None:
            self.aborted = f"{node.action.id} {why}"

    def completed(self, action_id: str, ok: bool, now: float, why: str = "") -> bool:
        """A result for ``action_id``; False if it is not an action of ours in flight."""
        node = self._nodes.get(action_id)
        if node is None or node.state != IN_FLIGHT:
            return False
        if ok:
            node.state = DONE
            self._release(node)
            self._run(now)
        else:
            self._fail(node, why or "failed")
        return True

    def abort(self, reason: str) -> None:
        if self.aborted is None:
            self.aborted = reason

    def tick(self, now: float) -> None:
        for node in self._nodes.values():
            if node.state == IN_FLIGHT and node.deadline is not None and now >= node.deadline:
                self._fail(node, "timed out waiting for its result")

    def next_wakeup(self) -> float | None:
        times = [
            n.deadline
            for n in self._nodes.values()
            if n.state == IN_FLIGHT and n.deadline is not None
        ]
        return min(times) if times else None
