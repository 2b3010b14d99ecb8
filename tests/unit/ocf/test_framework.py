"""The agent framework: dispatch, parameters, check levels, exit reasons."""

from __future__ import annotations

import shutil
import subprocess
from typing import ClassVar

import pytest

from ocf.agent import Agent
from ocf.metadata import ActionSpec
from ocf.params import Param
from ocf.rc import RC, OCFError
from tests.fixtures.tools import require


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


def test_probe_detection() -> None:
    run("monitor")
    assert Toy.seen["probe"] is True
    run("monitor", OCF_RESKEY_CRM_meta_interval="0")
    assert Toy.seen["probe"] is True
    run("monitor", OCF_RESKEY_CRM_meta_interval="10000")
    assert Toy.seen["probe"] is False


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
