"""bench/failover.py's peers work: one node-crash run each for keepalived and heartbeat.

The benchmark is run as its users run it (the script, as root), with one run per system;
the test checks that every piece did its job -- the stack started in the lab, the fault was
injected, the stack's own detection line was found, the client saw the service come back,
and the report and the JSON lines parse.  It asserts nothing about how fast anything was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.tools import REPO, require_path, require_root, require_tool

pytestmark = [pytest.mark.realproc, pytest.mark.root, pytest.mark.slow]

SYSTEMS = ("keepalived-v3", "heartbeat-tight")


def test_one_crash_run_each_for_keepalived_and_heartbeat(tmp_path: Path) -> None:
    require_root()
    require_tool("ip", "unshare", "nsenter", "curl", "keepalived", "mkfs.ext4", "losetup")
    require_path("/usr/libexec/heartbeat/heartbeat", "the heartbeat 3.0.6 daemon")
    require_path("/usr/share/heartbeat/ResourceManager", "heartbeat's ResourceManager")
    require_path("/usr/sbin/apache2", "apache2")
    out = tmp_path / "runs.jsonl"
    argv = [
        sys.executable, str(REPO / "bench" / "failover.py"), "--runs", "1",
        "--systems", ",".join(SYSTEMS), "--scenarios", "crash", "--json", str(out),
    ]  # fmt: skip
    res = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr[-2000:]

    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["kind"] for r in records] == ["machine", "run", "run", "end"]
    runs = {r["system"]: r for r in records if r["kind"] == "run"}
    assert set(runs) == set(SYSTEMS)
    for name, run in runs.items():
        assert run["scenario"] == "crash"
        assert run["error"] == "", (name, run["error"], res.stdout[-2000:])
        assert isinstance(run["detection"], float), (name, res.stdout[-2000:])
        assert isinstance(run["downtime"], float), (name, res.stdout[-2000:])

    rows = [line for line in res.stdout.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| system | moves | detection s | downtime s |")
    assert {row.split(" | ")[0].removeprefix("| ") for row in rows[1:]} == set(SYSTEMS)
    assert "machine:" in res.stdout
    assert res.stdout.count("uptime:") == 2
