"""The fencer and a real executor in one selectors loop, in the test process.

    bench = FenceBench("node9", work_dir, fence_dir=empty_dir)   # pycrm's agents: builtin
    bench.fencer.set_devices([FenceDevice(...)])
    outcome = bench.fence(FenceRequest("op1", "node2", "off"))
    result = bench.op(OpRequest(...))                          # one executor operation
    bench.close()

The agents run as this process's children (killed on close); the loop follows the daemon's
convention (handlers as ``key.data.on_ready``, timers through next_wakeup/tick).
"""

from __future__ import annotations

import selectors
import time

from pycrm.daemon.executor import AgentPaths, Executor, OpRequest, OpResult
from pycrm.fencing.fencer import FenceOutcome, Fencer, FenceRequest


class FenceBench:
    def __init__(self, node: str, work_dir: str, *, fence_dir: str = "/usr/sbin") -> None:
        self.selector = selectors.DefaultSelector()
        self.ex = Executor(self.selector, paths=AgentPaths(fence_dir=fence_dir), work_dir=work_dir)
        self.fencer = Fencer(node)
        self.others: list[OpResult] = []  # executor results that are not the fencer's

    def _turn(self, deadline: float) -> None:
        for request in self.fencer.take_requests():
            self.ex.submit(request)
        now = time.monotonic()
        wake = self.ex.next_wakeup()
        timeout = max(0.0, min(deadline, wake if wake is not None else deadline) - now)
        for key, mask in self.selector.select(min(timeout, 0.5)):
            key.data.on_ready(mask)
        now = time.monotonic()
        self.ex.tick(now)
        for result in self.ex.drain():
            if not self.fencer.on_result(result, now):
                self.others.append(result)

    def fence(self, request: FenceRequest, timeout: float = 120.0) -> FenceOutcome:
        self.fencer.fence(request, time.monotonic())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._turn(deadline)
            outcomes = self.fencer.take_outcomes()
            if outcomes:
                return outcomes[0]
        raise AssertionError(f"fencing {request.target} did not end within {timeout} s")

    def op(self, request: OpRequest, timeout: float = 60.0) -> OpResult:
        call_id = self.ex.submit(request)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._turn(deadline)
            for result in self.others:
                if result.call_id == call_id:
                    self.others.remove(result)
                    return result
        raise AssertionError(f"{request.key} did not end within {timeout} s")

    def close(self) -> None:
        self.ex.close()
        self.selector.close()
