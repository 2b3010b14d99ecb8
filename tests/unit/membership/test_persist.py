"""The node's persistent state: uuid, own generation and the peers' generations."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from heartbeat_compat.membership.persist import (
    STATE_FILE,
    NodeState,
    StateError,
    load_state,
    save_state,
    start,
)


def test_first_start_creates_the_state_and_each_start_moves_on(tmp_path: Path) -> None:
    first = start(tmp_path / "st", clock=lambda: 1_700_000_000.5)
    assert first.uuid_created and not first.had_previous
    assert first.state.generation == 1_700_000_000 and len(first.state.uuid) == 16
    path = tmp_path / "st" / STATE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "st").stat().st_mode) == 0o700
    doc = json.loads(path.read_text())
    assert doc == {
        "format": 1,
        "uuid": first.state.uuid.hex(),
        "generation": 1_700_000_000,
        "peers": {},
    }
    second = start(tmp_path / "st", clock=lambda: 5.0)
    assert not second.uuid_created and second.had_previous
    assert (second.state.uuid, second.state.generation) == (first.state.uuid, 1_700_000_001)
    assert load_state(tmp_path / "st") == second.state  # written before it is used


def test_time_method_never_goes_back(tmp_path: Path) -> None:
    save_state(tmp_path, NodeState(b"u" * 16, 5000))
    assert start(tmp_path, "time", clock=lambda: 9000.0).state.generation == 9000
    assert start(tmp_path, "time", clock=lambda: 10.0).state.generation == 9001  # clock went back


def test_peer_generations_survive_a_restart(tmp_path: Path) -> None:
    begun = start(tmp_path)
    save_state(tmp_path, begun.state.with_peers({"beta": 77, "gamma": 3}))
    again = start(tmp_path)
    assert dict(again.state.peers) == {"beta": 77, "gamma": 3}
    assert again.state.generation == begun.state.generation + 1


def test_heartbeat_files_are_adopted_and_left_alone(tmp_path: Path) -> None:
    uuid = bytes(range(16))
    (tmp_path / "hb_uuid").write_bytes(uuid)
    (tmp_path / "hb_generation").write_bytes(b"              41\n")
    begun = start(tmp_path, clock=lambda: 1.0)
    assert (begun.state.uuid, begun.state.generation) == (uuid, 42)
    assert not begun.uuid_created and begun.had_previous
    assert (tmp_path / "hb_generation").read_bytes() == b"              41\n"
    assert start(tmp_path).state.generation == 43  # from hb_state.json now


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b"[]",
        b'{"format": 2, "uuid": "00", "generation": 1, "peers": {}}',
        b'{"format": 1, "uuid": "abcd", "generation": 1, "peers": {}}',
        b'{"format": 1, "uuid": "' + b"00" * 16 + b'", "generation": -1, "peers": {}}',
        b'{"format": 1, "uuid": "' + b"00" * 16 + b'", "generation": 1, "peers": {"b": "x"}}',
        b'{"format": 1, "uuid": "' + b"00" * 16 + b'", "generation": 1}',
    ],
)
def test_a_bad_state_file_is_fatal_and_kept(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / STATE_FILE
    path.write_bytes(content)
    with pytest.raises(StateError) as err:
        start(tmp_path)
    text = str(err.value)
    assert text.startswith(f"{path}: not a pycrm node state") and "\n" not in text
    assert path.read_bytes() == content


def test_a_failed_save_keeps_the_old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = NodeState(b"u" * 16, 7, {"beta": 1})
    save_state(tmp_path, old)

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(StateError, match="cannot write: No space left on device"):
        save_state(tmp_path, old.with_peers({"beta": 2}))
    monkeypatch.undo()
    assert load_state(tmp_path) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE]
