"""Process identity from /proc, with harmless stand-in processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ocf.httpd.procs import Identity, option_values, read_pid, stat_of
from tests.fixtures.tools import Spawned, require_root, require_tool

SLEEPER = "import time; time.sleep(60)"


def _wait_cmdline(pid: int, needle: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if needle.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
            return
        time.sleep(0.01)
    raise AssertionError(f"{pid} never showed {needle}")


def test_option_values() -> None:
    args = ["-DSTATUS", "-f", "/a.conf", "-c", "PidFile /x", "-f/b.conf", "-d"]
    assert option_values(args, "-f") == ["/a.conf", "/b.conf"]
    assert option_values(args, "-c") == ["PidFile /x"]
    assert option_values(args, "-D") == ["STATUS"]
    assert option_values(args, "-d") == []


def test_argv_matching(tmp_path: Path) -> None:
    config = tmp_path / "httpd.conf"
    config.write_text("")
    (tmp_path / "link.conf").symlink_to(config)
    ident = Identity(sys.executable, str(config), str(tmp_path), None)
    assert ident.argv_matches(["httpd", "-DSTATUS", "-f", str(config)])
    assert ident.argv_matches(["httpd", f"-f{tmp_path}/link.conf"])
    assert ident.argv_matches(["httpd", "-f", "link.conf"])  # relative to ServerRoot
    assert not ident.argv_matches(["httpd", "-f", "/etc/other.conf"])
    assert not ident.argv_matches(["httpd"])  # not this binary's compiled-in default
    assert not ident.argv_matches([])
    with_pid = Identity(sys.executable, str(config), str(tmp_path), "PidFile /run/a.pid")
    assert with_pid.argv_matches(["httpd", "-f", str(config), "-c", "PidFile /run/a.pid"])
    assert not with_pid.argv_matches(["httpd", "-f", str(config), "-c", "PidFile /run/b.pid"])


def test_default_config_without_f() -> None:
    ident = Identity("/usr/sbin/apache2", "/etc/apache2/apache2.conf", "/etc/apache2", None)
    assert ident.argv_matches(["/usr/sbin/apache2", "-k", "start"])


def test_scan_finds_only_matching_processes(tmp_path: Path, spawned: Spawned) -> None:
    config = str(tmp_path / "httpd.conf")
    Path(config).touch()  # an instance's configuration exists where it is looked for
    ours = spawned.popen([sys.executable, "-c", SLEEPER, "-f", config])
    other_config = spawned.popen([sys.executable, "-c", SLEEPER, "-f", config + ".other"])
    other_binary = spawned.popen(["sleep", "60", "-f", config], stderr=subprocess.DEVNULL)
    for proc in (ours, other_config):
        _wait_cmdline(proc.pid, config)
    ident = Identity(sys.executable, config, str(tmp_path), None)
    assert ident.scan() == [ours.pid]
    assert ident.alive(ours.pid)
    assert not ident.alive(other_config.pid)
    assert not ident.alive(other_binary.pid)
    # Started with start_new_session: a session leader, so it counts as a main.
    assert ident.mains([ours.pid]) == [ours.pid]
    ours.kill()
    ours.wait()
    assert not ident.alive(ours.pid)
    assert ident.scan() == []


def test_non_session_leader_is_not_a_main(tmp_path: Path) -> None:
    config = str(tmp_path / "httpd.conf")
    Path(config).touch()  # an instance's configuration exists where it is looked for
    child = subprocess.Popen([sys.executable, "-c", SLEEPER, "-f", config])
    try:
        _wait_cmdline(child.pid, config)
        ident = Identity(sys.executable, config, str(tmp_path), None)
        assert ident.scan() == [child.pid]
        assert ident.mains([child.pid]) == []
    finally:
        child.kill()
        child.wait()


def test_stat_and_read_pid(tmp_path: Path) -> None:
    stat = stat_of(os.getpid())
    assert stat is not None and stat[0] == os.getppid()
    assert stat_of(2**22 + 1) is None
    pidfile = tmp_path / "p"
    for text, expected in (("123\n", 123), ("", None), ("1", None), ("abc", None)):
        pidfile.write_text(text)
        assert read_pid(str(pidfile)) == expected
    assert read_pid(str(tmp_path / "missing")) is None


def test_wrapper_script_accepts_sibling_binary(tmp_path: Path) -> None:
    wrapper = tmp_path / "httpd"
    wrapper.write_text('#!/bin/sh\nexec httpd-prefork "$@"\n')
    wrapper.chmod(0o755)
    ident = Identity(str(wrapper), "/c.conf", "/", None)
    assert ident.binary_matches(str(tmp_path / "httpd-prefork"))
    assert not ident.binary_matches("/usr/bin/httpd-prefork")
    assert not ident.binary_matches(None)


MOUNTED_ELSEWHERE = r"""
import os, subprocess, sys
site, sleeper = sys.argv[1], sys.argv[2]
subprocess.run(["mount", "-t", "tmpfs", "none", site], check=True)
with open(os.path.join(site, "httpd.conf"), "w") as fh:
    fh.write("")
os.execv(sys.executable, [sys.executable, "-c", sleeper, "-f", os.path.join(site, "httpd.conf")])
"""


def test_an_instance_whose_config_only_it_can_see_is_not_ours(
    tmp_path: Path, spawned: Spawned
) -> None:
    """Nodes of one host (the lab): the site is on a disk mounted in another node's mount
    namespace. Its httpd has our binary and our command line, but the configuration we
    name is not there in our view: it is that node's, not ours."""
    require_root()
    require_tool("unshare", "mount")
    site = tmp_path / "srv"
    site.mkdir()
    config = str(site / "httpd.conf")
    elsewhere = spawned.popen(
        ["unshare", "--mount", "--propagation", "private", "--",
         sys.executable, "-c", MOUNTED_ELSEWHERE, str(site), SLEEPER],
    )  # fmt: skip
    _wait_cmdline(elsewhere.pid, config)
    ident = Identity(sys.executable, config, str(site), None, str(site / "run" / "httpd.pid"))
    assert ident.scan() == []
    assert not ident.alive(elsewhere.pid)
    (site / "httpd.conf").write_text("")  # the same path here is another file
    assert not Identity(sys.executable, config, str(site), None).alive(elsewhere.pid)


def test_nothing_is_ours_where_our_configuration_cannot_be_seen(
    tmp_path: Path, spawned: Spawned
) -> None:
    """The shared disk with the configuration is mounted on another node: an httpd that
    runs that configuration there is not this node's (the shell agent: no configuration
    file, not running)."""
    config = str(tmp_path / "missing" / "httpd.conf")
    other = spawned.popen([sys.executable, "-c", SLEEPER, "-f", config])
    _wait_cmdline(other.pid, config)
    ident = Identity(sys.executable, config, str(tmp_path), None)
    assert ident.scan() == []
    assert not ident.alive(other.pid)
