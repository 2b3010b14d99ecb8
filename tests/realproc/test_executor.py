"""The executor running real agents, inside a private network namespace.

A driver process (tests/support/executor_driver.py) runs the real Executor in its own
selectors loop inside the namespace; the test sends it requests and reads the results.
The agents are our IPaddr2 and apache (run from the package: nothing is installed under
the OCF root), an LSB init script, a heartbeat resource script, and small scripts that
sleep, fork or count their runs.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pycrm.daemon.executor import OpRequest, OpResult
from pycrm.daemon.executor.codes import (
    EXEC_CANCELLED,
    EXEC_DONE,
    EXEC_NOT_INSTALLED,
    EXEC_TIMEOUT,
)
from tests.fixtures.apache import HTTPD, MODULES, free_port, write_apache_config
from tests.fixtures.netns import Netns, NetnsLab, wait_for
from tests.fixtures.tools import require_path, require_tool
from tests.support.executor_driver import DriverClient

pytestmark = [pytest.mark.realproc, pytest.mark.root]


@dataclass
class Bench:
    ns: Netns
    lab: NetnsLab
    root: Path  # a private directory: work dir, init.d, ha.d, OCF root, state files
    driver: DriverClient

    @property
    def init_dir(self) -> Path:
        return self.root / "init.d"

    @property
    def ha_dir(self) -> Path:
        return self.root / "ha.d"

    def script(self, path: Path, body: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
        path.chmod(0o755)
        return path

    def request(self, rsc: str, action: str, **kw: Any) -> OpRequest:
        kw.setdefault("node", "node1")
        return OpRequest(rsc_id=rsc, action=action, **kw)

    def run(self, request: OpRequest, timeout: float = 60.0) -> OpResult:
        return self.driver.result_for(self.driver.submit(request), timeout)


def _bench(lab: NetnsLab, **driver_options: str | int) -> Iterator[Bench]:
    require_tool("ip")
    ns = lab.add_ns("x")
    root = Path(tempfile.mkdtemp(prefix="pycrm-exec-"))
    root.chmod(0o755)
    for sub in ("work", "init.d", "ha.d/resource.d", "ocf"):
        (root / sub).mkdir(parents=True)
    driver = DriverClient(
        ns.argv([]),
        work_dir=str(root / "work"),
        ocf_root=str(root / "ocf"),
        init_dir=str(root / "init.d"),
        ha_dir=str(root / "ha.d"),
        **driver_options,
    )
    try:
        yield Bench(ns, lab, root, driver)
    finally:
        driver.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def bench(netns_lab: NetnsLab) -> Iterator[Bench]:
    yield from _bench(netns_lab)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


# ------------------------------------------------------------------ IPaddr2
def test_ipaddr2_start_monitor_stop_from_the_package(netns_lab: NetnsLab) -> None:
    for b in _bench(netns_lab):
        peer = netns_lab.add_ns("y")
        la, _ = netns_lab.veth(b.ns, peer, a_addrs=[netns_lab.v4(1)], b_addrs=[netns_lab.v4(2)])
        vip = netns_lab.v4(50).split("/")[0]
        ipaddr = {"rsc_class": "ocf", "provider": "pycrm", "agent": "IPaddr2"}
        params = {"ip": vip, "cidr_netmask": "24", "nic": la.name}
        assert not (b.root / "ocf" / "resource.d").exists()  # nothing installed

        probe = b.run(b.request("vip", "monitor", params=params, target_rc=7, **ipaddr))
        assert (probe.rc, probe.op_status) == (7, EXEC_DONE)
        start = b.run(b.request("vip", "start", params=params, **ipaddr))
        assert (start.rc, start.op_status, start.exit_reason) == (0, EXEC_DONE, "")
        assert f"inet {vip}/24" in b.ns.addrs(la.name)

        mon = b.request("vip", "monitor", interval_ms=500, params=params, **ipaddr)
        mon_id = b.driver.submit(mon)
        first = b.driver.result_for(mon_id)
        assert (first.rc, first.first_report) == (0, True)

        stop = b.run(b.request("vip", "stop", params=params, **ipaddr))
        assert (stop.rc, stop.op_status) == (0, EXEC_DONE)
        cancelled = b.driver.result_for(mon_id)
        assert cancelled.op_status == EXEC_CANCELLED
        assert f"inet {vip}/" not in b.ns.addrs(la.name)


# ---------------------------------------------------------------------- LSB
def test_lsb_script_with_status_mapping_and_missing_scripts(bench: Bench) -> None:
    state = bench.root / "svc.state"
    bench.script(
        bench.init_dir / "svc",
        f"""\
        echo "ocf-exit-reason:lsb scripts have no exit reasons" >&2
        case "$1" in
          start) touch {state}; exit 0;;
          stop) rm -f {state}; exit 0;;
          status) [ -e {state} ] && exit 0; exit 3;;
          *) exit 3;;
        esac
        """,
    )
    lsb = {"rsc_class": "lsb", "agent": "svc"}
    probe = bench.run(bench.request("svc", "monitor", target_rc=7, **lsb))
    assert (probe.rc, probe.exit_reason) == (7, "")
    assert bench.run(bench.request("svc", "start", **lsb)).rc == 0
    assert bench.run(bench.request("svc", "monitor", **lsb)).rc == 0
    assert bench.run(bench.request("svc", "stop", **lsb)).rc == 0
    assert not state.exists()
    missing = bench.run(bench.request("nope", "start", rsc_class="lsb", agent="nope"))
    assert (missing.rc, missing.op_status) == (5, EXEC_NOT_INSTALLED)
    unknown = bench.run(bench.request("f", "start", rsc_class="stonith", agent="fence_x"))
    assert (unknown.rc, unknown.op_status) == (5, EXEC_NOT_INSTALLED)


# ---------------------------------------------------------------- heartbeat
def test_heartbeat_script_gets_positional_arguments_and_status_is_read(bench: Bench) -> None:
    args_log = bench.root / "args.log"
    state = bench.root / "hb.state"
    bench.script(
        bench.ha_dir / "resource.d" / "Legacy",
        f"""\
        for a in "$@"; do printf '%s|' "$a"; done >> {args_log}
        echo >> {args_log}
        eval last=\\${{$#}}
        case "$last" in
          start) touch {state};;
          stop) rm -f {state};;
          status) [ -e {state} ] && echo "Legacy is running" || echo "Legacy is stopped";;
        esac
        exit 0
        """,
    )
    hb = {"rsc_class": "heartbeat", "agent": "Legacy", "params": {"1": "alpha", "2": "beta gamma"}}
    assert bench.run(bench.request("legacy", "monitor", target_rc=7, **hb)).rc == 7
    assert bench.run(bench.request("legacy", "start", **hb)).rc == 0
    assert bench.run(bench.request("legacy", "monitor", **hb)).rc == 0
    assert bench.run(bench.request("legacy", "stop", **hb)).rc == 0
    assert args_log.read_text().splitlines() == [
        "alpha|beta gamma|status|",
        "alpha|beta gamma|start|",
        "alpha|beta gamma|status|",
        "alpha|beta gamma|stop|",
    ]


# ------------------------------------------------------------------ timeout
def test_timeout_kills_the_script_and_the_child_it_forked(bench: Bench) -> None:
    pids = bench.root / "pids"
    bench.script(
        bench.init_dir / "hang",
        f"""\
        sleep 300 &
        echo $! > {pids}.tmp
        echo $$ >> {pids}.tmp
        mv {pids}.tmp {pids}
        sleep 300
        """,
    )
    result = bench.run(
        bench.request("hang", "start", rsc_class="lsb", agent="hang", timeout_ms=1500)
    )
    assert (result.rc, result.op_status) == (1, EXEC_TIMEOUT)
    assert result.exec_ms >= 1500
    child, script = (int(p) for p in pids.read_text().split())
    wait_for(lambda: _gone(child) and _gone(script), timeout=10, what="the killed process group")


# ------------------------------------------------- serialisation / parallelism
def _span(result: OpResult) -> tuple[float, float]:
    return result.run_at, result.run_at + result.exec_ms / 1000


def test_one_resource_runs_serially_and_different_resources_in_parallel(bench: Bench) -> None:
    bench.script(bench.init_dir / "slow", "sleep 0.4\nexit 0\n")
    slow = {"rsc_class": "lsb", "agent": "slow"}
    ids = [
        bench.driver.submit(bench.request("a", action, **slow))
        for action in ("start", "stop", "start")
    ]
    other = bench.driver.submit(bench.request("b", "start", **slow))
    a_results = [bench.driver.result_for(i) for i in ids]
    b_result = bench.driver.result_for(other)
    spans = [_span(r) for r in a_results]
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end - 0.002  # next one starts after the previous one ended
    b_start, b_end = _span(b_result)
    assert b_start < spans[0][1] and spans[0][0] < b_end  # overlaps a's first op


# ---------------------------------------------------------------- recurring
def test_recurring_monitor_reports_only_changes_and_can_be_kicked(bench: Bench) -> None:
    state = bench.root / "rec.state"
    runs = bench.root / "rec.runs"
    bench.script(
        bench.init_dir / "rec",
        f"""\
        case "$1" in
          status) echo x >> {runs}; [ -e {state} ] && exit 0; exit 3;;
          start) touch {state};;
        esac
        exit 0
        """,
    )
    rec = {"rsc_class": "lsb", "agent": "rec"}

    def count() -> int:
        return len(runs.read_text().splitlines()) if runs.exists() else 0

    assert bench.run(bench.request("rec", "start", **rec)).rc == 0
    mon_id = bench.driver.submit(bench.request("rec", "monitor", interval_ms=200, **rec))
    assert bench.driver.result_for(mon_id).rc == 0
    wait_for(lambda: count() >= 5, timeout=20, what="five monitor runs")
    bench.driver.pump(0.1)
    assert bench.driver.results == []  # unchanged results are not reported

    state.unlink()
    failed = bench.driver.result_for(mon_id)
    assert (failed.rc, failed.first_report, failed.call_id) == (7, False, mon_id)
    seen = count()
    wait_for(lambda: count() >= seen + 3, timeout=20, what="three more runs")
    bench.driver.pump(0.1)
    assert bench.driver.results == []

    state.touch()
    assert bench.driver.result_for(mon_id).rc == 0
    assert bench.driver.kick("rec", "test")
    bench.driver.cancel("rec")
    assert bench.driver.result_for(mon_id).op_status == EXEC_CANCELLED
    assert bench.driver.kick("rec", "one-shot")  # no recurring monitor: a probe
    probe = bench.driver.wait_for(lambda r: r.request.probe)
    assert (probe.rc, probe.target_rc, probe.request.transition_key) == (0, 0, None)
    assert not bench.driver.kick("never-seen")


# ------------------------------------------------------------------- apache
def test_apache_announces_its_main_pid_to_the_executor(bench: Bench) -> None:
    require_path(HTTPD, "apache2")
    require_path(f"{MODULES}/mod_status.so", "apache2 mod_status")
    site = bench.root / "apache"
    site.mkdir()
    site.chmod(0o755)
    config = write_apache_config(site, listen=f"127.0.0.1:{free_port()}")
    apache = {
        "rsc_class": "ocf",
        "provider": "pycrm",
        "agent": "apache",
        "params": {"configfile": str(config), "httpd": HTTPD, "envfiles": ""},
    }
    try:
        start = bench.run(bench.request("web", "start", timeout_ms=60_000, **apache))
        assert (start.rc, start.exit_reason) == (0, "")
        main_pid = int((site / "run" / "httpd.pid").read_text())
        assert start.main_pid == main_pid
        monitor = bench.run(bench.request("web", "monitor", **apache))
        assert (monitor.rc, monitor.main_pid) == (0, main_pid)
    finally:
        stop = bench.run(bench.request("web", "stop", timeout_ms=60_000, **apache))
    assert (stop.rc, stop.main_pid) == (0, None)
    probe = bench.run(bench.request("web", "monitor", target_rc=7, **apache))
    assert (probe.rc, probe.main_pid) == (7, None)
