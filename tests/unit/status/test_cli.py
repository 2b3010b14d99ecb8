"""`pycrm status` against a small fake daemon: a selectors loop serving a fixed CIB.

The fake daemon does what `pycrm run` does for this command: it opens the control socket
under its run directory and answers ``status`` with ``status_payload(cib, snapshot)``.
"""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import cib
from heartbeat_compat.ipc import CommandError, Request
from pycrm.cli.main import main
from pycrm.control.server import control_server
from pycrm.daemon.paths import control_socket
from pycrm.status import text
from pycrm.status.collect import collect
from pycrm.status.payload import STATUS_COMMAND, status_payload
from pycrm.status.snapshot import DaemonSnapshot, LastChange
from tests.fixtures.hblab import pycrm_argv
from tests.fixtures.tools import require_path
from tests.support.loop import Loop, serving
from tests.support.statuscib import scenario_xml
from tests.unit.status.golden import RNG

CIB = scenario_xml("monitor-failure")


def _snapshot() -> DaemonSnapshot:
    return DaemonSnapshot(
        cluster_name="web",
        stack="pycrm",
        local_node="node2",
        dc="node1",
        dc_version="0.1.0",
        have_quorum=True,
        last_updated=time.time(),
        membership={"node1": "member", "node2": "member"},
        last_change=LastChange(time=1_700_000_000.0, user="root", client="pycrm", origin="node1"),
        cib_version=(0, 1, 0),
    )


def _daemon(run_dir: Path, answer: object = None) -> AbstractContextManager[Loop]:
    server = control_server(run_dir)

    def status(req: Request) -> object:
        if answer is not None:
            return answer
        return status_payload(CIB, _snapshot())

    server.register(STATUS_COMMAND, status)
    return serving(server)


def _run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["status", *args])
    return res.exit_code, res.stdout, res.stderr


def test_text_xml_and_json_from_a_running_daemon(tmp_path: Path) -> None:
    with _daemon(tmp_path):
        code, out, err = _run("--run-dir", str(tmp_path))
        assert (code, err) == (0, "")
        expected = text.render(collect(cib.loads(CIB), _snapshot()))
        assert out.splitlines()[5:] == expected.splitlines()[5:]  # after "Last updated"
        assert out.startswith("Cluster name: web\nCluster Summary:\n  * Stack: pycrm\n")
        assert "  * Current DC: node1 (version 0.1.0) - partition with quorum\n" in out
        assert out.splitlines()[4].endswith(" on node2")
        assert "Migration Summary:\n  * Node: node1:\n" in out

        code, out, _ = _run("--run-dir", str(tmp_path), "--output-as=xml")
        assert code == 0
        doc = etree.fromstring(out.encode())
        assert doc.get("request") == "pycrm status --output-as=xml"
        assert doc.xpath("failures/failure/@op_key") == ["website_monitor_10000"]
        require_path(RNG, "Pacemaker's API schema")
        schema = etree.RelaxNG(etree.parse(str(RNG)))
        assert schema.validate(doc), schema.error_log

        code, out, _ = _run("--run-dir", str(tmp_path), "--output-as=json", "--inactive")
        assert code == 0
        data = json.loads(out)
        assert data["cluster"]["local_node"] == "node2"
        assert [f["resource"] for f in data["failures"]] == ["website"]


def test_config_locates_the_run_directory(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    config = tmp_path / "pycrm.toml"
    config.write_text(f'[cluster]\nname = "web"\nrun_dir = "{run_dir}"\n')
    with _daemon(run_dir):
        code, out, _ = _run("--config", str(config))
        assert code == 0 and "Cluster Summary:" in out


def test_no_daemon_is_one_line_and_crm_mons_exit_code(tmp_path: Path) -> None:
    code, out, err = _run("--run-dir", str(tmp_path))
    path = control_socket(tmp_path)
    assert (code, out) == (102, "")
    assert err == (
        f"pycrm status: cannot connect to {path}: no daemon is running (start it with pycrm run)\n"
    )


def test_bad_config_and_options(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[cluster]\nname = "web"\nrun_dir = \n')
    code, _, err = _run("--config", str(config))
    assert code == 2
    assert err.startswith(f"pycrm status: {config}:3: ")
    config.write_text("[cluster]\nrun_dir = 5\n")
    code, _, err = _run("--config", str(config))
    assert code == 2 and err.startswith(f"pycrm status: {config}") and "run_dir" in err
    code, _, err = _run("--config", str(tmp_path / "missing.toml"))
    assert code == 2 and err.startswith(f"pycrm status: {tmp_path / 'missing.toml'}")
    code, _, err = _run("--config", str(config), "--ha-d", str(tmp_path))
    assert (code, err) == (2, "pycrm status: --config and --ha-d are mutually exclusive\n")


def test_daemon_errors_and_garbage_are_reported_not_raised(tmp_path: Path) -> None:
    with _daemon(tmp_path / "a", answer={"format": "something-else"}):
        code, _, err = _run("--run-dir", str(tmp_path / "a"))
        assert code == 1
        assert err == (
            "pycrm status: unreadable answer from the daemon: "
            "unknown status payload format 'something-else'\n"
        )
    broken = status_payload(b"<cib><configuration>", _snapshot())
    with _daemon(tmp_path / "b", answer=broken):
        code, _, err = _run("--run-dir", str(tmp_path / "b"))
        assert code == 1 and err.startswith("pycrm status: unreadable answer from the daemon: ")
        assert "Traceback" not in err
    server = control_server(tmp_path / "c")

    def refuse(req: Request) -> object:
        raise CommandError("starting", "the CIB is not loaded yet")

    server.register(STATUS_COMMAND, refuse)
    with serving(server):
        code, _, err = _run("--run-dir", str(tmp_path / "c"))
        assert (code, err) == (
            1,
            "pycrm status: status failed: the CIB is not loaded yet (starting)\n",
        )


@pytest.mark.parametrize("fmt", ["text", "xml"])
def test_the_installed_command_in_its_own_process(tmp_path: Path, fmt: str) -> None:
    with _daemon(tmp_path):
        done = subprocess.run(
            [*pycrm_argv(), "status", "--run-dir", str(tmp_path), f"--output-as={fmt}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert ("website" in done.stdout) and done.stderr == ""
