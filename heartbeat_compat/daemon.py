"""`pycrm heartbeat`: a Heartbeat v1 membership node (no resources), selectors-based.

One loop: wait for a medium, the status socket or the next engine deadline;
decode (authenticate) what arrived, feed the membership engine, send what it
queued, log its events in heartbeat's words. Every cycle ends with a verdict
(Patroni style) logged at debug level, and at info level when it changes.

Errors are split in two: `FatalError` (bad configuration, media or state that
cannot be opened) stops the node with a one-line message and a non-zero exit;
everything at run time (a send failing on one link, a bad packet, a status
client hanging up) is logged, counted and survived.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.events import Event
from heartbeat_compat.membership.fields import Fields
from heartbeat_compat.membership.hblog import level_of, setup_logging
from heartbeat_compat.membership.media import build_media, build_ping_media, link_names
from heartbeat_compat.membership.persist import NodeState, StateError, save_state, start
from heartbeat_compat.membership.statusd import SOCKET_NAME, StatusSocketError, status_server
from heartbeat_compat.membership.timing import Timing, TimingError
from heartbeat_compat.transport.base import (
    Datagram,
    Medium,
    MediumSetupError,
    TransportError,
)
from heartbeat_compat.transport.icmp import PingMedium

DEFAULT_STATE_DIR = Path("/var/lib/pycrm/heartbeat")
DEFAULT_RUN_DIR = Path("/run/pycrm/heartbeat")
MAX_WAIT = 0.25  # never sleep longer than heartbeat's poll interval
MAX_CONSECUTIVE_FAILURES = 50
LOG_INTERVAL = 1.0  # per-key rate limit for repetitive warnings
VERSION = "pycrm-heartbeat 0.1 (Heartbeat v1 membership)"


class FatalError(Exception):
    """The node cannot run; str() is the one-line message for the user."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Verdict:
    """What one loop cycle did and what the node thinks of the cluster."""

    action: str
    summary: str
    received: int = 0
    sent: int = 0
    dropped: int = 0

    def text(self) -> str:
        return f"{self.action}: {self.summary}"


@dataclass
class NodeOptions:
    ha_d: Path
    state_dir: Path | None = None
    foreground: bool = True
    debug: bool = False
    allow_insecure_auth: bool = False  # accept crc keys in authkeys (warned at every start)


@dataclass
class NodeParts:
    me: str
    engine: MembershipEngine
    media: list[Medium]
    ping_media: list[PingMedium]
    codec: Any  # WireCodec (kept loose so tests can inject a fake)
    socket_path: Path
    state_dir: Path
    state: NodeState  # as last written to state_dir
    logger: logging.Logger
    hacf: Any
    startup: list[tuple[int, str]] = field(default_factory=list)


def local_node_name(ha_d: Path) -> str:
    """heartbeat's node name: first line of ha.d/nodeinfo, else `uname -n`, lowercased."""
    nodeinfo = ha_d / "nodeinfo"
    with contextlib.suppress(OSError):
        first = nodeinfo.read_text(encoding="utf-8").splitlines()
        if first and first[0].strip():
            return first[0].strip().lower()
    return os.uname().nodename.lower()


def assemble(opts: NodeOptions) -> NodeParts:
    """Read ha.d, persistent identity and build every component. Raises FatalError."""
    # Imported here so that `pycrm heartbeat --help` does not load the codec.
    from heartbeat_compat.config.authkeys import auth_policy, load_authkeys
    from heartbeat_compat.config.errors import HaConfigError
    from heartbeat_compat.config.hacf import load_hacf
    from heartbeat_compat.membership.codec import WireCodec

    ha_d = opts.ha_d
    if not ha_d.is_dir():
        raise FatalError(f"{ha_d}: configuration directory not found")
    me = local_node_name(ha_d)
    try:
        authkeys = load_authkeys(ha_d / "authkeys")
        hacf = load_hacf(ha_d / "ha.cf", local_node=me)
    except HaConfigError as exc:
        raise FatalError(str(exc)) from exc
    auth = auth_policy(authkeys, allow_insecure=opts.allow_insecure_auth)
    if auth.refusal is not None:
        raise FatalError(auth.refusal)
    if hacf.ping_groups:
        raise FatalError(f"{hacf.path}: ping_group: not supported by pycrm heartbeat")
    timing = Timing.from_hacf(hacf)
    try:
        timing_warnings = timing.validate()
    except TimingError as exc:
        raise FatalError(f"{hacf.path}: {exc}") from exc
    try:
        media = build_media(hacf.media, hacf.udpport, hacf.baud)
    except MediumSetupError as exc:
        raise FatalError(f"{hacf.path}: {exc}") from exc
    if not media:
        raise FatalError(f"{hacf.path}: No heartbeat media defined")
    ping_media = build_ping_media(hacf.ping_nodes)

    state_dir = opts.state_dir or DEFAULT_STATE_DIR
    socket_path = (opts.state_dir or DEFAULT_RUN_DIR) / SOCKET_NAME
    startup: list[tuple[int, str]] = [(logging.WARNING, w) for w in timing_warnings]
    try:
        begun = start(state_dir, hacf.hbgenmethod)
    except StateError as exc:
        raise FatalError(str(exc)) from exc
    state = begun.state
    if not begun.had_previous:
        startup.append(
            (logging.WARNING, f"No Previous generation - starting at {state.generation}")
        )
    startup.append((logging.INFO, f"Heartbeat generation: {state.generation}"))
    if begun.uuid_created:
        startup.append((logging.INFO, "No uuid found for current node - generating a new uuid."))
    for text in auth.warnings:
        startup.append((logging.WARNING, text))

    codec = WireCodec(auth.keys, fmt=hacf.msgfmt)
    cfg = EngineConfig(
        me=me,
        nodes=tuple(hacf.nodes),
        links=link_names(media),
        timing=timing,
        uuid=state.uuid,
        generation=state.generation,
        ping_nodes=tuple(hacf.ping_nodes),
        hopfudge=hacf.hopfudge,
        peer_generations=state.peers,
    )
    logger = setup_logging(
        me,
        logfile=hacf.logfile,
        debugfile=hacf.debugfile,
        facility=hacf.logfacility,
        foreground=opts.foreground,
        debug=opts.debug,
    )
    return NodeParts(
        me=me,
        engine=MembershipEngine(cfg),
        media=media,
        ping_media=ping_media,
        codec=codec,
        socket_path=socket_path,
        state_dir=state_dir,
        state=state,
        logger=logger,
        hacf=hacf,
        startup=startup,
    )


class HeartbeatNode:
    def __init__(self, parts: NodeParts, clock: Any = time.monotonic) -> None:
        self.parts = parts
        self.engine = parts.engine
        self.codec = parts.codec
        self.log = parts.logger
        self.clock = clock
        self.selector = selectors.DefaultSelector()
        self.status = status_server(parts.socket_path, self.snapshot, clock)
        self._stop = False
        self.io_ready = False
        self._last_verdict = ""
        self._summary: str | None = None  # the verdict's summary, until the next event
        self._rate: dict[str, float] = {}
        self._failures = 0
        self._rx = self._dropped = 0  # datagrams accepted and dropped this cycle
        self.started_wall = time.time()

    # ------------------------------------------------------------- lifecycle
    def open(self) -> None:
        """Open media and the status socket. Raises FatalError."""
        opened: list[Medium] = []
        try:
            for medium in [*self.parts.media, *self.parts.ping_media]:
                medium.open()
                opened.append(medium)
                self.selector.register(medium.fileno(), selectors.EVENT_READ, medium)
                self.log.info("%s: started", medium.describe())
            self.status.open(self.selector)
        except (MediumSetupError, StatusSocketError) as exc:
            for medium in opened:
                medium.close()
            self.status.close()
            raise FatalError(str(exc)) from exc

    def close(self) -> None:
        for medium in [*self.parts.media, *self.parts.ping_media]:
            medium.close()
        self.status.close()
        self.selector.close()

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        self._stop = True

    def run(self) -> int:
        for level, text in self.parts.startup:
            self.log.log(level, "%s", text)
        self.log.info("Configuration validated. Starting %s", VERSION)
        self.engine.start(self.clock())
        self._flush()
        while not self._stop:
            try:
                verdict = self.cycle()
            except FatalError:
                raise
            except Exception as exc:  # recoverable: one bad cycle must not kill the node
                self._failures += 1
                self.log.error("unexpected error in event loop: %r", exc)
                self.log.debug("event loop failure", exc_info=True)
                if self._failures >= MAX_CONSECUTIVE_FAILURES:
                    raise FatalError(
                        f"{self._failures} consecutive event loop failures; last: {exc!r}"
                    ) from exc
                time.sleep(0.05)
                continue
            self._failures = 0
            self._log_verdict(verdict)
        self.log.info("Heartbeat shutdown in progress. (%d)", os.getpid())
        self.engine.shutdown()
        self._flush()
        self.log.info("%s Heartbeat shutdown complete.", self.parts.me)
        return 0

    # ------------------------------------------------------------ one cycle
    def next_deadline(self, now: float) -> float:
        """When the loop must wake up next (monotonic seconds); extended by subclasses."""
        wake = self.engine.next_wakeup(now)
        status_wake = self.status.next_wakeup()
        if status_wake is not None:
            wake = min(wake, status_wake)
        return wake

    def after_io(self, now: float) -> None:
        """Runs every cycle after the engine took what arrived, before anything is sent;
        the engine's new events are still in ``engine.events``, and ``io_ready`` says
        whether a descriptor other than a medium was served this cycle.  For subclasses."""

    def cycle(self) -> Verdict:
        now = self.clock()
        self._rx = self._dropped = 0
        for medium in self.parts.media:  # what we sent ourselves last cycle
            self._receive(medium.take_looped(), now)
        timeout = min(max(self.next_deadline(now) - now, 0.0), MAX_WAIT)
        try:
            ready = self.selector.select(timeout)
        except InterruptedError:
            ready = []
        except OSError as exc:
            raise FatalError(f"event loop: select failed: {exc.strerror}") from exc
        self.io_ready = False
        for key, mask in ready:
            obj = key.data
            if not isinstance(obj, Medium):
                self.io_ready = True
                obj.on_ready(mask)  # the status socket and its clients
                continue
            try:
                datagrams = obj.recv()
            except TransportError as exc:
                self._warn_limited(f"recv:{obj.link}", str(exc))
                continue
            self._receive(datagrams, self.clock())
        now = self.clock()
        self.status.tick(now)
        if self.engine.next_wakeup(now) <= now:
            self.engine.tick(now)
        self.after_io(now)
        sent = self._flush()
        return self._verdict(self._rx, sent, self._dropped)

    def _receive(self, datagrams: list[Datagram], now: float) -> None:
        for dgram in datagrams:
            fields = self.codec.decode(dgram.data)
            if fields is None:
                self._dropped += 1
                self._report_drop(dgram.peer, dgram.link)
                continue
            self._rx += 1
            self.engine.receive(now, fields, dgram.link)

    def _flush(self) -> int:
        sent = 0
        if self.engine.events:
            self._summary = None  # every change of status or membership is an event
        self._log_events(self.engine.events)
        self.engine.events.clear()
        self._save_peer_generations()
        outbox, self.engine.outbox = self.engine.outbox, []
        for msg in outbox:
            data = self._encode(msg)
            if data is None:
                continue
            for medium in self.parts.media:
                try:
                    medium.send(data)
                    sent += 1
                except TransportError as exc:
                    self._warn_limited(f"send:{medium.link}", str(exc))
        pings, self.engine.ping_outbox = self.engine.ping_outbox, []
        by_ip = {m.address: m for m in self.parts.ping_media}
        for ip, msg in pings:
            data = self._encode(msg)
            ping_medium = by_ip.get(ip)
            if data is None or ping_medium is None:
                continue
            try:
                ping_medium.send(data)
            except TransportError as exc:
                self._warn_limited(f"send:{ip}", str(exc))
        return sent

    def _save_peer_generations(self) -> None:
        """Write the state when a peer's generation increased (retried until it succeeds)."""
        if not self.engine.peers_changed:
            return
        state = self.parts.state.with_peers(self.engine.peer_generations())
        try:
            save_state(self.parts.state_dir, state)
        except StateError as exc:
            self._warn_limited("state", f"{exc}; peer generations not saved yet, will retry")
            return
        self.parts.state = state
        self.engine.peers_changed = False

    def _encode(self, msg: Fields) -> bytes | None:
        try:
            data: bytes = self.codec.encode(msg)
        except Exception as exc:  # an EncodeError is a bug in what we built: log, skip
            self.log.error("cannot encode outgoing message: %s", exc)
            return None
        return data

    def _report_drop(self, peer: str, link: str) -> None:
        """Log a dropped packet (rate-limited); `log_badpack false` silences it, as in heartbeat."""
        if not self.parts.hacf.log_badpack:
            return
        reason = self.codec.last_drop
        if self.codec.is_auth_failure(reason):
            self._warn_limited(
                f"auth:{peer}",
                f"authentication failed for packet from {peer} on {link} ({reason}): dropped",
            )
        else:
            self._warn_limited(
                f"bad:{peer}", f"bad packet from {peer} on {link} ({reason}): dropped"
            )

    def _warn_limited(self, key: str, text: str) -> None:
        now = self.clock()
        last = self._rate.get(key)
        if last is not None and now - last < LOG_INTERVAL:
            return
        self._rate[key] = now
        self.log.warning("%s", text)

    def _log_events(self, events: list[Event]) -> None:
        for event in events:
            self.log.log(level_of(event.level), "%s", event.text)

    def _verdict(self, received: int, sent: int, dropped: int) -> Verdict:
        if self._summary is None:
            peers = [n for n in self.engine.nodes.normal() if n.name != self.engine.me]
            alive = [n for n in peers if n.status in ("up", "active")]
            state = "comm up" if self.engine.comm_up else "waiting for peers"
            self._summary = (
                f"{self.engine.me} {self.engine.local_status}, {state},"
                f" {len(alive)}/{len(peers)} peers alive"
            )
        action = "exchanged" if (received or sent or dropped) else "no action"
        return Verdict(action, self._summary, received, sent, dropped)

    def _log_verdict(self, verdict: Verdict) -> None:
        if verdict.summary != self._last_verdict:
            self._last_verdict = verdict.summary
            self.log.info("verdict: %s", verdict.summary)
        elif verdict.action != "no action" and self.log.isEnabledFor(logging.DEBUG):
            self.log.debug(
                "verdict: %s (rx %d, tx %d, dropped %d)",
                verdict.text(),
                verdict.received,
                verdict.sent,
                verdict.dropped,
            )

    # ----------------------------------------------------------------- status
    def snapshot(self) -> dict[str, Any]:
        snap = self.engine.snapshot()
        snap["running"] = True
        snap["pid"] = os.getpid()
        snap["version"] = VERSION
        snap["started"] = int(self.started_wall)
        hacf = self.parts.hacf
        if hacf is not None:  # a `pycrm run` node has no ha.cf of its own (it adds these)
            snap["udpport"] = hacf.udpport
            snap["auto_failback"] = hacf.auto_failback
            snap["parameters"] = dict(hacf.parameters)
        snap["decode"] = self.codec.stats.as_dict() if hasattr(self.codec, "stats") else {}
        snap["media"] = [m.describe() for m in self.parts.media]
        return snap


def install_signals(node: HeartbeatNode) -> None:
    signal.signal(signal.SIGTERM, node.request_stop)
    signal.signal(signal.SIGINT, node.request_stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


def run_node(opts: NodeOptions) -> int:
    """Start a node and run it until SIGTERM; the exit status to return.

    Raises FatalError, with nothing left running, when the node cannot start.
    With ``opts.foreground`` false the node detaches once its media and status
    socket are open: the parent returns 0 (leaving the socket to the child) and
    the child never returns (it exits with the node's status).
    """
    node = HeartbeatNode(assemble(opts))
    node.open()
    if opts.foreground:
        return _serve(node)
    try:
        child = os.fork()
    except OSError as exc:
        node.close()
        raise FatalError(f"cannot detach: fork failed: {exc.strerror}") from exc
    if child:
        return 0
    code = 1
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        with contextlib.suppress(FatalError):  # _serve logged it; stderr is /dev/null now
            code = _serve(node)
    finally:
        os._exit(code)


def _serve(node: HeartbeatNode) -> int:
    install_signals(node)
    try:
        return node.run()
    except FatalError as exc:
        node.log.critical("%s", exc)
        raise
    finally:
        with contextlib.suppress(Exception):
            node.close()
