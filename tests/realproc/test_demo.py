"""The README's main command, `pycrm demo`, on a machine set up by install.sh: the
three-node demo in the fast profile, with apache2 and with the built-in web server (what
a machine without apache2 gets), and the agents-only demo."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.tools import require_path, require_root, require_tool

pytestmark = [pytest.mark.root, pytest.mark.realproc, pytest.mark.slow]

STEPS = (
    r"\[1/5\] \S+  crash node1 \(runs the group\)",
    r"\[2/5\] \S+  kill -9 (apache|the web server) on node\d \(pid \d+\)",
    r"\[3/5\] \S+  pycrm node standby node\d",
    r"\[4/5\] \S+  partition: node\d alone \| node\d node\d",
    r"\[5/5\] \S+  heal: node\d reconnected",
)


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    require_root()
    require_tool("ip", "unshare", "mount", "mkfs.ext4", "losetup", "curl")
    return subprocess.run(
        [sys.executable, "-m", "pycrm.cli.main", "demo", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module", params=["apache", "builtin"])
def fast_demo(request: pytest.FixtureRequest) -> tuple[str, subprocess.CompletedProcess[str]]:
    if request.param == "apache":
        require_path("/usr/sbin/apache2", "apache2")
    return request.param, _demo("--profile", "fast", "--web", request.param)


def test_the_fast_demo_runs_every_step_prints_the_timeline_and_removes_everything(
    fast_demo: tuple[str, subprocess.CompletedProcess[str]],
) -> None:
    web, res = fast_demo
    out = res.stdout
    assert res.returncode in (0, 1), out + res.stderr  # 1: an audit failed (see below)
    assert "Traceback" not in out + res.stderr
    assert "profile fast: keepalive 0.1 s, dead time 0.4 s" in out
    if web == "builtin":
        assert "web server: Python's http.server" in out
    else:
        assert "web server: apache2" in out
    for step in STEPS:
        assert re.search(step, out), f"{step!r} not in\n{out}"
    assert "      detected  +" in out and "      downtime  " in out and "      audit     " in out
    # fencing is the default: the partition's minority is fenced, as crm_mon shows it
    assert "stonith enabled (fence_netns)" in out
    partition = out.split("[4/5]")[1].split("[5/5]")[0]
    assert re.search(
        r"note      fencing: reboot of node\d by node\d for pycrm-controld@node\d successful",
        partition,
    ), partition
    timeline = out.split("Timeline (profile fast")[1]
    assert len(re.findall(r"^  [1-5]  ", timeline, re.M)) == 5
    # everything the demo made is gone
    prefix = re.search(r"\(lab (pc[0-9a-f]+)\)", out)
    root = re.search(r"the lab's files: (\S+)", out)
    assert prefix and root, out
    assert "done: nothing of the demo is left" in out
    assert not Path(root.group(1)).exists()
    netns = subprocess.run(
        ["ip", "netns", "list"], check=False, capture_output=True, text=True
    ).stdout
    assert prefix.group(1) not in netns
    loops = subprocess.run(["losetup", "-a"], check=False, capture_output=True, text=True).stdout
    assert root.group(1) not in loops


def test_the_fast_demo_passes_every_audit(
    fast_demo: tuple[str, subprocess.CompletedProcess[str]],
) -> None:
    _, res = fast_demo
    assert res.returncode == 0, res.stdout
    assert "demo passed" in res.stdout
    assert "FAILED" not in res.stdout


def test_pycrm_demo_agents_passes() -> None:
    require_path("/usr/sbin/apache2", "apache2")
    res = _demo("agents")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "demo passed" in res.stdout
    assert "FAILED" not in res.stdout
