"""The agent framework: dispatch, parameters, check levels, exit reasons."""

from __future__ import annotations

import shutil
import subprocess
from typing import ClassVar

import pytest

from ocf.agent import Agent
from ocf.env import OcfEnv
from ocf.metadata import ActionSpec
from ocf.params import Param
from ocf.rc import RC, OCFError
from tests.fixtures.tools import require, require_path


class Toy(Agent):
    name = "Toy"
    shortdesc = "toy agent"
    longdesc = "An agent used to test the framework <with> markup & escapes."
    params = (
        Param("state", "state file", "Where the toy keeps its state.", required=True, unique=True),
        Param("count", "a number", "An integer parameter.", type="integer", default="3"),
        Param("flag", "a flag", "A boolean parameter.", type="boolean", default="false"),
        Param("legacy", "unused", "Kept for compatibility.", supported=False),
    )
    actions = (
        ActionSpec("start", "20s"),
        ActionSpec("stop", "20s"),
        ActionSpec("monitor", "20s", interval="10s", depth="0"),
        ActionSpec("meta-data", "5s"),
        ActionSpec("validate-all", "20s"),
    )
    check_levels: ClassVar[tuple[int, ...]] = (0, 10, 20)
    seen: ClassVar[dict[str, object]] = {}

    def check_config(self) -> None:
        if self.p.integer("count") < 0:
            raise OCFError(RC.ERR_CONFIGURED, "count must not be negative")

    def start(self) -> RC | None:
        Toy.seen["flag"] = self.p.flag("flag")
        return None

    def stop(self) -> RC | None:
        raise RuntimeError("boom")

    def monitor(self) -> RC | None:
        Toy.seen["level"] = self.check_level
        Toy.seen["probe"] = self.env.is_probe
        return RC.NOT_RUNNING


BASE = {"OCF_RESKEY_state": "/nonexistent", "OCF_RESOURCE_INSTANCE": "toy1"}


def run(action: str, **env: str) -> int:
    return Toy.main(["Toy", action], {**BASE, "HA_LOGFACILITY": "none", **env})


def test_start_parses_typed_values() -> None:
    assert run("start", OCF_RESKEY_flag="yes") == RC.SUCCESS
    assert Toy.seen["flag"] is True


def test_bad_integer_is_err_configured(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("start", OCF_RESKEY_count="many") == RC.ERR_CONFIGURED
    assert "ocf-exit-reason:parameter count='many' is not an integer" in capsys.readouterr().err


def test_check_config_runs_first() -> None:
    assert run("start", OCF_RESKEY_count="-1") == RC.ERR_CONFIGURED


def test_missing_required_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    assert Toy.main(["Toy", "start"], {"HA_LOGFACILITY": "none"}) == RC.ERR_CONFIGURED
    assert "required parameter state is not set" in capsys.readouterr().err


def test_unknown_action_is_unimplemented() -> None:
    assert run("promote") == RC.ERR_UNIMPLEMENTED
    assert run("frobnicate") == RC.ERR_UNIMPLEMENTED


def test_no_action_is_err_args() -> None:
    assert Toy.main(["Toy"], {}) == RC.ERR_ARGS


def test_agent_bug_becomes_generic_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("stop") == RC.ERR_GENERIC
    assert "ocf-exit-reason:internal error: RuntimeError: boom" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("action", "interval", "probe"),
    [
        # Pacemaker passes no interval at all for a probe.
        ("monitor", None, True),
        ("monitor", "0", True),
        ("monitor", "10000", False),
        # ocf-shellfuncs defaults an *unset* interval only, then compares strings.
        ("monitor", "", False),
        ("monitor", "00", False),
        # ocf_is_probe looks at the action name: status is never a probe.
        ("status", None, False),
    ],
)
def test_probe_detection_is_ocf_is_probe(action: str, interval: str | None, probe: bool) -> None:
    env = {} if interval is None else {"OCF_RESKEY_CRM_meta_interval": interval}
    assert run(action, **env) == RC.NOT_RUNNING
    assert Toy.seen["probe"] is probe


def test_probe_detection_matches_ocf_shellfuncs() -> None:
    """The same inputs through the real ocf_is_probe, when resource-agents is installed."""
    shellfuncs = "/usr/lib/ocf/lib/heartbeat/ocf-shellfuncs"
    require(shutil.which("bash") is not None, "needs bash")
    require_path(shellfuncs, "resource-agents' ocf-shellfuncs")
    script = f'. {shellfuncs}; __OCF_ACTION="$1"; ocf_is_probe'
    for action in ("monitor", "status", "start"):
        for interval in (None, "0", "", "00", "10000"):
            env = {"OCF_ROOT": "/usr/lib/ocf", "PATH": "/usr/bin:/bin"}
            if interval is not None:
                env["OCF_RESKEY_CRM_meta_interval"] = interval
            shell = subprocess.run(
                ["bash", "-c", script, "probe", action], env=env, check=False
            ).returncode
            ours = OcfEnv.from_environ(action, env, "Toy").is_probe
            assert ours is (shell == 0), (action, interval)


@pytest.mark.parametrize(
    ("requested", "effective"),
    [("0", 0), ("5", 0), ("10", 10), ("15", 10), ("20", 20), ("99", 20), ("junk", 0)],
)
def test_check_level_falls_back(requested: str, effective: int) -> None:
    assert run("monitor", OCF_CHECK_LEVEL=requested) == RC.NOT_RUNNING
    assert Toy.seen["level"] == effective


def test_status_is_monitor() -> None:
    assert run("status") == RC.NOT_RUNNING


def test_unsupported_parameter_warns(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("start", OCF_RESKEY_legacy="x") == RC.SUCCESS
    assert "parameter legacy is accepted for compatibility but not used" in capsys.readouterr().err


def test_metadata_escapes_and_declares_doctype(capsys: pytest.CaptureFixture[str]) -> None:
    assert Toy.main(["Toy", "meta-data"], {}) == RC.SUCCESS
    out = capsys.readouterr().out
    assert '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">' in out
    assert "&lt;with&gt; markup &amp; escapes" in out
    assert "this agent does not use it" in out


def test_metadata_is_dtd_valid(capsys: pytest.CaptureFixture[str]) -> None:
    require(shutil.which("xmllint") is not None, "needs xmllint (libxml2-utils)")
    require(
        __import__("os").path.exists("/usr/share/resource-agents/ra-api-1.dtd"),
        "needs resource-agents' ra-api-1.dtd",
    )
    Toy.main(["Toy", "meta-data"], {})
    xml = capsys.readouterr().out
    res = subprocess.run(
        ["xmllint", "--noout", "--valid", "-"],
        input=xml,
        text=True,
        capture_output=True,
        cwd="/usr/share/resource-agents",
        check=False,
    )
    assert res.returncode == 0, res.stderr


def test_trace_writes_a_private_file(tmp_path: pytest.TempPathFactory) -> None:
    import os
    from pathlib import Path

    trace_dir = Path(str(tmp_path)) / "trace"
    assert run("start", OCF_TRACE_RA="1", OCF_RESKEY_trace_dir=str(trace_dir)) == RC.SUCCESS
    files = list(trace_dir.iterdir())
    assert len(files) == 1 and files[0].name.startswith("toy1.start.")
    assert os.stat(files[0]).st_mode & 0o077 == 0
    assert "start returns 0 (SUCCESS)" in files[0].read_text()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"PYCRM_MAIN_PID_PREFIX": "ocf-main-pid:"}, "ocf-main-pid:4321\n"),
        ({"OCF_RESKEY_crm_feature_set": "3.16.1"}, ""),  # under Pacemaker: silent
    ],
)
def test_main_pid_is_announced_only_to_pycrm(
    environ: dict[str, str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ocf.env import OcfEnv

    OcfEnv.from_environ("start", environ, "apache").announce_main_pid(4321)
    captured = capsys.readouterr()
    assert (captured.err, captured.out) == (expected, "")
