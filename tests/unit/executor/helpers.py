"""Shared builders for the executor unit tests."""

from __future__ import annotations

from typing import Any

from pycrm.daemon.executor.classes import CLASSES, Invocation
from pycrm.daemon.executor.core import ExecutorCore, Kill, Run, Spawn
from pycrm.daemon.executor.outcome import ProcessEnd
from pycrm.daemon.executor.request import OpRequest


def req(rsc: str = "r1", action: str = "start", **kw: Any) -> OpRequest:
    kw.setdefault("rsc_class", "ocf")
    kw.setdefault("provider", "heartbeat")
    kw.setdefault("agent", "Dummy")
    kw.setdefault("node", "node1")
    return OpRequest(rsc_id=rsc, action=action, **kw)


def fake_resolve(request: OpRequest) -> Invocation | None:
    if request.agent == "Missing":
        return None
    cls = CLASSES[request.rsc_class]
    return Invocation(("/agent", request.action), {}, request.action, cls)


class Harness:
    """An ExecutorCore with a fake clock that records what it asked the shell to do."""

    def __init__(self, max_parallel: int = 4) -> None:
        self.now = 100.0
        self.wall = 1_700_000_000.0
        self.core = ExecutorCore(fake_resolve, max_parallel=max_parallel, wall=lambda: self.wall)
        self.spawned: list[Run] = []
        self.kills: list[Kill] = []

    def pump(self) -> None:
        for cmd in self.core.take_outbox():
            if isinstance(cmd, Spawn):
                self.spawned.append(cmd.run)
            else:
                self.kills.append(cmd)

    def submit(self, request: OpRequest) -> int:
        call_id = self.core.submit(request, self.now)
        self.pump()
        return call_id

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.wall += seconds
        self.core.tick(self.now)
        self.pump()

    def running_keys(self) -> list[str]:
        return sorted(run.request.key for run in self.core.running)

    def finish(self, key: str, end: ProcessEnd | None = None, **kw: Any) -> None:
        run = next(r for r in self.core.running if r.request.key == key)
        self.core.finished(run, end or ProcessEnd("exited", 0), self.now, **kw)
        self.pump()

    def results(self) -> list[tuple[str, int, int]]:
        return [(r.key, r.rc, r.op_status) for r in self.core.take_results()]
