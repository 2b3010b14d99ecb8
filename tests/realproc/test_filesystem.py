"""ocf:pycrm:Filesystem on a real loop-mounted ext4 (needs root).

Each shell-agent weakness from the reference (tmpfs over the directory,
OCF_CHECK_LEVEL=5, a busy mount at stop, a missing modprobe) is a test here.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.loopfs import LoopFs
from tests.fixtures.tools import InstalledAgents, Spawned, require_path, require_tool

SHELL = "/usr/lib/ocf/resource.d/heartbeat/Filesystem"


@pytest.fixture
def fs(loopfs: LoopFs, installed_agents: InstalledAgents) -> Iterator[dict[str, str]]:
    params = {"device": loopfs.device, "directory": str(loopfs.directory), "fstype": "ext4"}
    yield params
    installed_agents.run("Filesystem", "stop", params)


def test_start_monitor_stop_are_idempotent(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents
) -> None:
    run = installed_agents.run
    assert run("Filesystem", "monitor", fs).rc == 7
    assert run("Filesystem", "start", fs).rc == 0
    assert loopfs.mounted_here() == [loopfs.device]
    assert run("Filesystem", "start", fs).rc == 0
    assert loopfs.mounted_here() == [loopfs.device]
    assert run("Filesystem", "monitor", fs, interval_ms=20000).rc == 0
    assert run("Filesystem", "stop", fs).rc == 0
    assert loopfs.mounted_here() == []
    assert run("Filesystem", "stop", fs).rc == 0
    assert run("Filesystem", "monitor", fs, interval_ms=20000).rc == 7


def test_trailing_slash_and_label_device(loopfs: LoopFs, installed_agents: InstalledAgents) -> None:
    subprocess.run(["e2label", loopfs.device, "pycrmtest"], check=True)
    params = {"device": "-L pycrmtest", "directory": f"{loopfs.directory}/", "fstype": "ext4"}
    try:
        assert installed_agents.run("Filesystem", "start", params).rc == 0
        assert installed_agents.run("Filesystem", "monitor", params, interval_ms=1000).rc == 0
    finally:
        installed_agents.run("Filesystem", "stop", params)
    assert loopfs.mounted_here() == []


def test_tmpfs_over_the_directory_is_a_failure(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents
) -> None:
    require_path(SHELL, "resource-agents' Filesystem (the weakness this test pins)")
    assert installed_agents.run("Filesystem", "start", fs).rc == 0
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(loopfs.directory)], check=True)
    result = installed_agents.run("Filesystem", "monitor", fs, interval_ms=20000)
    assert result.rc == 1
    assert "hidden by tmpfs" in result.reason
    # the weakness we fix: the shell agent says "running"
    shell = subprocess.run(
        [SHELL, "monitor"],
        env={**_shell_env(fs), "OCF_RESKEY_CRM_meta_interval": "20000"},
        capture_output=True,
        check=False,
    )
    assert shell.returncode == 0
    subprocess.run(["umount", str(loopfs.directory)], check=True)
    assert installed_agents.run("Filesystem", "monitor", fs, interval_ms=20000).rc == 0


def test_another_filesystem_alone_on_the_directory_is_not_ours(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents
) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(loopfs.directory)], check=True)
    try:
        assert installed_agents.run("Filesystem", "monitor", fs).rc == 7
        # stop must not unmount somebody else's filesystem
        assert installed_agents.run("Filesystem", "stop", fs).rc == 0
        assert loopfs.mounted_here() == ["tmpfs"]
    finally:
        subprocess.run(["umount", str(loopfs.directory)], check=False)


def test_unsupported_check_level_falls_back(
    fs: dict[str, str], installed_agents: InstalledAgents
) -> None:
    assert installed_agents.run("Filesystem", "start", fs).rc == 0
    # The shell agent returns 6 (fatal) for OCF_CHECK_LEVEL=5.
    assert installed_agents.run("Filesystem", "monitor", fs, interval_ms=1, check_level=5).rc == 0


def test_read_and_write_depths(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents
) -> None:
    assert installed_agents.run("Filesystem", "start", fs).rc == 0
    assert installed_agents.run("Filesystem", "monitor", fs, interval_ms=1, check_level=10).rc == 0
    res = installed_agents.run("Filesystem", "monitor", fs, interval_ms=1, check_level=20)
    assert res.rc == 0, res.stderr
    status = loopfs.directory / ".Filesystem_status"
    assert len(list(status.iterdir())) == 1


def test_write_test_on_a_read_only_filesystem_fails_probe_or_not(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents
) -> None:
    """OCF_CHECK_LEVEL=20 is honoured whenever it is requested, as in the shell agent."""
    run = installed_agents.run
    assert run("Filesystem", "start", fs).rc == 0
    subprocess.run(["mount", "-o", "remount,ro", str(loopfs.directory)], check=True)
    try:
        for interval in (None, 20000):  # a probe (no interval), then a recurring monitor
            res = run("Filesystem", "monitor", fs, interval_ms=interval, check_level=20)
            assert res.rc == 1, (interval, res.stderr)
            assert "write test" in res.reason
        # depth 0 (what a probe gets by default) only asks whether it is mounted
        assert run("Filesystem", "monitor", fs).rc == 0
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(loopfs.directory)], check=True)


def test_start_without_the_device_is_not_installed_here(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents
) -> None:
    """Like the shell agent: rc 5, so Pacemaker tries another node, and nothing mounted."""
    params = {**fs, "device": f"{loopfs.directory}-no-such-device"}
    res = installed_agents.run("Filesystem", "start", params)
    assert res.rc == 5, res.stderr
    assert "Couldn't find device" in res.reason
    assert loopfs.mounted_here() == []


def test_stop_kills_only_the_mount_users(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents, spawned: Spawned
) -> None:
    assert installed_agents.run("Filesystem", "start", fs).rc == 0
    mnt = loopfs.directory
    (mnt / "data").write_text("x")
    in_cwd = spawned.popen(["sleep", "600"], cwd=mnt)
    holder = spawned.popen(["python3", "-c", f"f=open('{mnt}/data'); import time; time.sleep(600)"])
    ignores_term = spawned.popen(
        ["python3", "-c", "import signal,time; signal.signal(15, signal.SIG_IGN); time.sleep(600)"],
        cwd=mnt,
    )
    bystander = spawned.popen(["sleep", "600"], cwd="/")
    _wait_open(holder.pid, f"{mnt}/data")
    result = installed_agents.run("Filesystem", "stop", fs, timeout_ms=20000)
    assert result.rc == 0, result.stderr
    assert loopfs.mounted_here() == []
    for proc in (in_cwd, holder, ignores_term):
        assert proc.wait(timeout=10) is not None
    assert bystander.poll() is None


def test_busy_mount_with_force_unmount_false_fails_within_timeout(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents, spawned: Spawned
) -> None:
    assert installed_agents.run("Filesystem", "start", fs).rc == 0
    user = spawned.popen(["sleep", "600"], cwd=loopfs.directory)
    params = {**fs, "force_unmount": "false"}
    result = installed_agents.run("Filesystem", "stop", params, timeout_ms=4000, timeout=30)
    assert result.rc == 1
    assert "couldn't unmount" in result.reason
    assert user.poll() is None
    user.kill()
    user.wait()


def test_no_action_needs_modprobe(
    fs: dict[str, str], loopfs: LoopFs, installed_agents: InstalledAgents, tmp_path: Path
) -> None:
    # A PATH with mount/umount/fsck but no modprobe: the shell agent returns 5 for everything.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("mount", "umount", "fsck"):
        real = subprocess.run(["which", tool], capture_output=True, text=True, check=True)
        (bindir / tool).symlink_to(real.stdout.strip())
    env = {"PATH": str(bindir)}
    run = installed_agents.run
    assert run("Filesystem", "validate-all", fs, extra_env=env).rc == 0
    assert run("Filesystem", "monitor", fs, extra_env=env).rc == 7
    assert run("Filesystem", "start", fs, extra_env=env).rc == 0
    assert run("Filesystem", "monitor", fs, interval_ms=1, extra_env=env).rc == 0
    assert run("Filesystem", "stop", fs, extra_env=env).rc == 0


def test_ocf_tester_passes(fs: dict[str, str], installed_agents: InstalledAgents) -> None:
    require_tool("ocf-tester")
    require_path("/usr/share/resource-agents/ra-api-1.dtd", "resource-agents' DTD")
    argv = ["ocf-tester", "-n", "fs1"]
    for key, value in fs.items():
        argv += ["-o", f"{key}={value}"]
    argv.append(str(installed_agents.path("Filesystem")))
    res = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "passed all tests" in res.stdout


def _shell_env(params: dict[str, str]) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}
    env.update({"OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": "fsshell"})
    env.update({f"OCF_RESKEY_{k}": v for k, v in params.items()})
    return env


def _wait_open(pid: int, path: str) -> None:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if any(
                os.readlink(f"/proc/{pid}/fd/{fd}") == path for fd in os.listdir(f"/proc/{pid}/fd")
            ):
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"process {pid} never opened {path}")
