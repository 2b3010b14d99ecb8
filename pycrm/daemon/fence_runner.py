"""The DC's fencer on this node's executor (the shell around :class:`Fencer`).

The controller decides to fence (:mod:`pycrm.daemon.fencing`); this runs it: the devices
this node registers from the CIB at the moment of the request
(:func:`pycrm.fencing.config.stonith_devices`, scored by the transition that asked), the
fencer's agent runs submitted to the executor, its results routed back, its outcomes
handed to the controller.  Fencer runs never reach the node's resource history.
"""

from __future__ import annotations

from collections.abc import Iterable

from cib.model import Cib
from pycrm.daemon.executor import Executor
from pycrm.daemon.executor.request import OpResult
from pycrm.fencing.config import allowed_by_scores, stonith_devices
from pycrm.fencing.fencer import FenceOutcome, Fencer, FenceRequest
from pycrm.scheduler import Transition


class FenceRunner:
    def __init__(self, me: str, executor: Executor, fencer: Fencer | None = None) -> None:
        self.me = me
        self.executor = executor
        self.fencer = fencer or Fencer(me)

    def start(
        self,
        requests: Iterable[FenceRequest],
        model: Cib,
        transition: Transition | None,
        now: float,
    ) -> None:
        allowed = allowed_by_scores(transition, self.me) if transition is not None else None
        self.fencer.set_devices(stonith_devices(model, self.me, allowed=allowed))
        for req in requests:
            self.fencer.fence(req, now)
        self._submit()

    def route(self, result: OpResult, now: float) -> bool:
        """Feed an executor result; True when it was the fencer's (nothing else sees it)."""
        if not self.fencer.on_result(result, now):
            return False
        self._submit()
        return True

    def take_outcomes(self) -> list[FenceOutcome]:
        return self.fencer.take_outcomes()

    def _submit(self) -> None:
        for req in self.fencer.take_requests():
            self.executor.submit(req)
