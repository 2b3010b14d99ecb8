"""What a node keeps across restarts: its identity and the generation of every peer.

One file, ``hb_state.json`` (mode 0600) in the state directory, always replaced
atomically (`cib.atomic.atomic_write`: temporary file, fsync, rename, directory fsync)::

    {"format": 1, "uuid": "<32 hex digits>", "generation": 1733580001,
     "peers": {"node1": 1733570004, "node2": 1733570120}}

* ``uuid``: 16 random bytes, created at the first start (heartbeat's ``uuidfrom file``);
* ``generation``: this node's generation. Every start reads it, adds one and writes it
  back before anything is sent. The first start (and every start with ``hbgenmethod
  time``) uses the current time, but never less than the previous generation + 1;
* ``peers``: the last generation seen from each peer. The engine starts from them
  (`EngineConfig.peer_generations`), so after our own restart a captured packet from an
  older generation of a peer is still a replay (heartbeat forgets them and starts from
  0, accepting any old capture). The node writes the file when a peer's generation
  increases, not per packet.

A peer whose generation really went backwards (its own state was lost and its clock is
behind) is refused as an "attempted replay attack" until its entry is removed from
``peers``. heartbeat's own ``hb_uuid`` (16 raw bytes) and ``hb_generation`` (decimal)
in the state directory are adopted when ``hb_state.json`` does not exist yet, so a node
migrated from heartbeat (or from an older pycrm) keeps its uuid; they are never written.
"""

from __future__ import annotations

import json
import os
import time
import uuid as uuidlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

STATE_FILE = "hb_state.json"
FORMAT = 1
_LEGACY_UUID = "hb_uuid"
_LEGACY_GENERATION = "hb_generation"


class StateError(Exception):
    """The state directory or file is unusable (fatal at start); str() is one line."""


@dataclass(frozen=True)
class NodeState:
    """This node's uuid and generation, and the last generation seen from each peer."""

    uuid: bytes
    generation: int
    peers: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def with_peers(self, peers: Mapping[str, int]) -> NodeState:
        return NodeState(self.uuid, self.generation, MappingProxyType(dict(peers)))


@dataclass(frozen=True)
class Startup:
    """The state a starting node runs with (already on disk) and what to log about it."""

    state: NodeState
    uuid_created: bool  # no uuid was found: a new one was made
    had_previous: bool  # a previous generation was found


def ensure_state_dir(path: Path) -> None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    except OSError as exc:
        raise StateError(f"{path}: cannot create state directory: {exc.strerror}") from exc


def start(
    state_dir: Path, hbgenmethod: str = "file", clock: Callable[[], float] = time.time
) -> Startup:
    """Load (or create) the state, move to the next generation and write it. Raises StateError."""
    ensure_state_dir(state_dir)
    previous = load_state(state_dir)
    if previous is None:
        previous = _adopt_legacy(state_dir)
    now = int(clock())
    if previous is None:
        state = NodeState(uuidlib.uuid4().bytes, now)
        save_state(state_dir, state)
        return Startup(state, uuid_created=True, had_previous=hbgenmethod == "time")
    generation = previous.generation + 1
    if hbgenmethod == "time" or previous.generation == 0:
        generation = max(now, generation)
    state = NodeState(previous.uuid, generation, previous.peers)
    save_state(state_dir, state)
    return Startup(state, uuid_created=False, had_previous=previous.generation > 0)


def load_state(state_dir: Path) -> NodeState | None:
    """The saved state, None if there is none yet. Raises StateError for an unusable file."""
    path = state_dir / STATE_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        return _from_json(json.loads(raw))
    except (ValueError, TypeError, KeyError) as exc:
        raise StateError(
            f"{path}: not a pycrm node state ({exc}); restore it from a backup, or remove it"
            " (the node then gets a new uuid and forgets its peers' generations)"
        ) from None


def save_state(state_dir: Path, state: NodeState) -> None:
    """Replace the state file atomically. Raises StateError."""
    path = state_dir / STATE_FILE
    doc = {
        "format": FORMAT,
        "uuid": state.uuid.hex(),
        "generation": state.generation,
        "peers": dict(sorted(state.peers.items())),
    }
    data = (json.dumps(doc, indent=1) + "\n").encode("ascii")
    # cib loads lxml and the CIB model, which `pycrm cl_status` (it imports the daemon
    # module) does not need: import the helper on first use.
    from cib.atomic import atomic_write

    try:
        atomic_write(path, data, 0o600)
    except OSError as exc:
        raise StateError(f"{path}: cannot write: {exc.strerror}") from exc


def _from_json(doc: Any) -> NodeState:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"format is not {FORMAT}")
    uuid = bytes.fromhex(doc["uuid"])
    generation = doc["generation"]
    peers = doc["peers"]
    if len(uuid) != 16:
        raise ValueError("uuid is not 16 bytes")
    if not _counter(generation):
        raise ValueError("generation is not a non-negative integer")
    if not isinstance(peers, dict) or not all(
        isinstance(k, str) and _counter(v) for k, v in peers.items()
    ):
        raise ValueError("peers is not a map of node name to generation")
    return NodeState(uuid, generation, MappingProxyType(dict(peers)))


def _counter(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _adopt_legacy(state_dir: Path) -> NodeState | None:
    """heartbeat's hb_uuid + hb_generation, if a uuid is there."""
    try:
        uuid = (state_dir / _LEGACY_UUID).read_bytes()
    except OSError:
        return None
    if len(uuid) != 16:
        return None
    try:
        text = (state_dir / _LEGACY_GENERATION).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    return NodeState(uuid, int(text) if text.isdigit() else 0)
