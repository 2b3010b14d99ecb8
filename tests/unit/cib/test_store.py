from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import cib
from cib import errors
from cib.atomic import atomic_write
from cib.store import CibStore, digest


def cib_text(epoch: int, rsc: str = "A") -> str:
    return (
        f'<cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="{epoch}" num_updates="0">'
        "<configuration><crm_config/><nodes/><resources>"
        f'<primitive id="{rsc}" class="ocf" provider="heartbeat" type="Dummy"/>'
        "</resources><constraints/></configuration><status/></cib>"
    )


def test_write_read_roundtrip_digest_and_mode(tmp_path: Path) -> None:
    s = CibStore(tmp_path / "cibdir")
    model = s.write(cib_text(1))
    assert model is not None and model.epoch == 1
    assert s.path.read_bytes() == cib_text(1).encode()
    assert s.sig_path.read_text() == digest(cib_text(1).encode())
    assert stat.S_IMODE(s.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(s.sig_path.stat().st_mode) == 0o600
    assert s.load().epoch == 1
    assert [p.name for p in tmp_path.joinpath("cibdir").iterdir() if p.name.endswith(".tmp")] == []


def test_digest_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    s = CibStore(tmp_path)
    s.write(cib_text(1))
    s.write(cib_text(2))
    s.path.write_text(cib_text(3))  # edited behind the store's back
    with pytest.raises(cib.CibError) as info:
        s.load()
    err = info.value
    assert err.code == errors.DIGEST_MISMATCH
    assert str(err).startswith(f"{s.path}:0: cib: digest ")
    assert "cib-1.raw" in str(err)
    assert s.load(verify=False).epoch == 3


def test_a_write_cut_off_before_its_signature_is_finished_on_read(tmp_path: Path) -> None:
    s = CibStore(tmp_path)
    s.write(cib_text(1))
    s.write(cib_text(2))
    s.write(cib_text(3))
    # the process died after cib.xml was replaced but before its signature was
    s.sig_path.write_text(digest(cib_text(2).encode()))
    assert s.load().epoch == 3
    assert s.sig_path.read_text() == digest(cib_text(3).encode())


def test_an_old_signature_that_is_not_the_newest_backups_is_still_refused(
    tmp_path: Path,
) -> None:
    s = CibStore(tmp_path)
    for epoch in (1, 2, 3):
        s.write(cib_text(epoch))
    s.sig_path.write_text(digest(cib_text(1).encode()))  # not what a cut-off write leaves
    with pytest.raises(cib.CibError) as info:
        s.load()
    assert info.value.code == errors.DIGEST_MISMATCH


def test_missing_signature_policy(tmp_path: Path) -> None:
    s = CibStore(tmp_path)
    s.write(cib_text(1))
    s.sig_path.unlink()
    assert s.load().epoch == 1
    with pytest.raises(cib.CibError) as info:
        CibStore(tmp_path, require_digest=True).load()
    assert info.value.code == errors.DIGEST_MISMATCH


def test_numbered_backups_keep_last_k(tmp_path: Path) -> None:
    s = CibStore(tmp_path, keep=3)
    for epoch in range(1, 7):
        s.write(cib_text(epoch))
    assert [p.name for p in s.backups()] == ["cib-3.raw", "cib-4.raw", "cib-5.raw"]
    assert (tmp_path / "cib.last").read_text() == "5"
    newest = s.backups()[-1]
    assert newest.read_text() == cib_text(5)
    assert Path(f"{newest}.sig").read_text() == digest(cib_text(5).encode())
    assert not (tmp_path / "cib-2.raw.sig").exists()
    assert s.load().epoch == 6


def test_invalid_cib_changes_nothing(tmp_path: Path) -> None:
    s = CibStore(tmp_path)
    s.write(cib_text(1))
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(cib.CibError):
        s.write("<cib><configuration>")
    with pytest.raises(cib.CibError):
        s.write(cib_text(2).replace('type="Dummy"/>', 'type="Dummy"/><bogus/>'))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert s.load().epoch == 1


def test_crash_during_write_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = CibStore(tmp_path)
    s.write(cib_text(1))
    real_fsync = os.fsync
    calls = {"n": 0}

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        name = os.readlink(f"/proc/self/fd/{fd}")
        if "/.cib.xml." in name and name.endswith(".tmp"):  # the new cib.xml itself
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        s.write(cib_text(2))
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert calls["n"] >= 2  # the backup bookkeeping was written before the failure
    assert s.path.read_text() == cib_text(1)
    assert s.load().epoch == 1  # digest still matches the intact old file
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_atomic_write_replaces_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"

    def boom(src: str, dst: str) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"newer")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_missing_file_error(tmp_path: Path) -> None:
    with pytest.raises(cib.CibError) as info:
        CibStore(tmp_path).load()
    assert info.value.code == errors.IO


def test_owner_like_pacemaker(tmp_path: Path) -> None:
    import pwd

    from tests.fixtures.tools import require, require_root

    require_root()
    try:
        hacluster: pwd.struct_passwd | None = pwd.getpwnam("hacluster")
    except KeyError:
        hacluster = None
    require(hacluster is not None, "needs the hacluster user (pacemaker package)")
    assert hacluster is not None
    owner = (hacluster.pw_uid, hacluster.pw_gid)
    s = CibStore(tmp_path, owner=owner)
    s.write(cib_text(1))
    s.write(cib_text(2))
    for path in (s.path, s.sig_path, s.backups()[0]):
        st = path.stat()
        assert (st.st_uid, st.st_gid) == owner
        assert stat.S_IMODE(st.st_mode) == 0o600
