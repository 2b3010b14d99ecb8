"""A fake network and clock for driving MembershipEngine instances in unit tests."""

from __future__ import annotations

import random
from collections.abc import Callable

from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.events import Event
from heartbeat_compat.membership.fields import Fields
from heartbeat_compat.membership.outgoing import MessageFactory
from heartbeat_compat.membership.timing import Timing

FAST = Timing(keepalive_ms=200, deadtime_ms=2000, warntime_ms=1000, initdead_ms=4000)


class Sim:
    """Engines exchanging messages instantly over one link `hb0`, with a shared clock."""

    def __init__(
        self,
        names: tuple[str, ...] = ("alpha", "beta"),
        timing: Timing = FAST,
        app_types: frozenset[str] = frozenset(),
    ) -> None:
        self.app_types = app_types
        self.now = 1000.0
        self.wall = 1_800_000_000.0
        self.timing = timing
        self.names = names
        self.engines: dict[str, MembershipEngine] = {}
        self.running: set[str] = set()
        self.log: dict[str, list[Event]] = {n: [] for n in names}
        self.drop: Callable[[str, Fields], bool] = lambda sender, msg: False
        self.gen = 1
        for name in names:
            self.boot(name)

    def boot(self, name: str) -> MembershipEngine:
        self.gen += 1
        uuid = bytes([self.names.index(name) + 1]) * 16
        cfg = EngineConfig(
            me=name,
            nodes=self.names,
            links=("hb0",),
            timing=self.timing,
            uuid=uuid,
            generation=self.gen,
            app_types=self.app_types,
        )
        factory = MessageFactory(
            name, uuid, self.gen, 3, wallclock=lambda: self.wall, loadavg=lambda: "0.00"
        )
        engine = MembershipEngine(cfg, factory, random.Random(len(self.engines) + self.gen))
        self.engines[name] = engine
        self.running.add(name)
        engine.start(self.now)
        return engine

    def kill(self, name: str) -> None:
        self.running.discard(name)

    def _flush(self) -> None:
        for _ in range(10):
            moved = False
            for name in sorted(self.running):
                engine = self.engines[name]
                self.log[name].extend(engine.events)
                engine.events.clear()
                out, engine.outbox = engine.outbox, []
                for msg in out:
                    moved = True
                    if self.drop(name, msg):
                        continue
                    for peer in sorted(self.running):
                        self.engines[peer].receive(self.now, msg, "hb0")
            if not moved:
                break

    def run(self, seconds: float, step: float = 0.01) -> None:
        end = self.now + seconds
        while self.now < end:
            self.now = round(self.now + step, 6)
            self.wall += step
            for name in sorted(self.running):
                engine = self.engines[name]
                if engine.next_wakeup(self.now) <= self.now:
                    engine.tick(self.now)
            self._flush()

    def run_until(self, cond: Callable[[], bool], limit: float, step: float = 0.01) -> float:
        start = self.now
        while not cond():
            if self.now - start > limit:
                raise AssertionError("condition not reached in simulated time")
            self.run(step, step)
        return self.now - start

    def status(self, viewer: str, node: str) -> str:
        found = self.engines[viewer].nodes.get(node)
        assert found is not None
        return found.status

    def texts(self, name: str) -> list[str]:
        return [e.text for e in self.log[name]]
