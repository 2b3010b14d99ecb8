"""contrib/systemd/pycrm.service: the choices it must keep, and systemd's own verdict on it
(`systemd-analyze verify` works offline; systemd need not be PID 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.fixtures.tools import require_path, require_tool

REPO = Path(__file__).resolve().parents[3]
UNIT = REPO / "contrib" / "systemd" / "pycrm.service"
PACEMAKER_UNIT = Path("/lib/systemd/system/pacemaker.service")


def parse(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file as {section: {key: [values...]}} (comments and blank lines dropped)."""
    out: dict[str, dict[str, list[str]]] = {}
    section: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = out.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(value.strip())
    return out


def service() -> dict[str, list[str]]:
    return parse(UNIT.read_text())["Service"]


def test_notify_from_the_main_process_with_the_shipped_command() -> None:
    svc = service()
    assert svc["Type"] == ["notify"] and svc["NotifyAccess"] == ["main"]
    assert svc["ExecStart"] == ["/usr/local/bin/pycrm run --config /etc/pycrm/pycrm.toml"]
    install = (REPO / "scripts" / "install.sh").read_text()
    assert 'ln -sf "$venv/bin/$tool" "/usr/local/bin/$tool"' in install  # where it links pycrm


def test_stop_is_never_a_sigkill_and_as_long_as_pacemakers() -> None:
    svc = service()
    assert svc["KillMode"] == ["process"]  # agents' services are the daemon's to stop
    assert svc["SendSIGKILL"] == ["no"]
    require_path(PACEMAKER_UNIT, "pacemaker.service")
    pacemaker = parse(PACEMAKER_UNIT.read_text())["Service"]
    for key in ("TimeoutStopSec", "SendSIGKILL", "KillMode", "NotifyAccess", "TasksMax"):
        assert svc[key] == pacemaker[key], key


def test_restart_quickly_on_failure_but_not_on_a_bad_configuration() -> None:
    svc = service()
    assert svc["Restart"] == ["on-failure"] and svc["RestartPreventExitStatus"] == ["2"]
    assert svc["RestartSec"] == ["100ms"]  # well within the default profile's 2 s dead time
    assert "#WatchdogSec=" in UNIT.read_text()  # optional: documented, off by default


def _verify(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    require_tool("systemd-analyze")
    unit = tmp_path / "pycrm.service"
    unit.write_text(text)
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )


def test_systemd_analyze_verify_accepts_it(tmp_path: Path) -> None:
    # the command must exist for verify: point it at this venv's pycrm, keep the rest as is
    here = Path(sys.executable).parent / "pycrm"
    require_path(here, "the pycrm console script of this venv")
    text = UNIT.read_text().replace("/usr/local/bin/pycrm run", f"{here} run")
    done = _verify(text, tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_systemd_analyze_verify_catches_a_typo(tmp_path: Path) -> None:
    """The check above is worth something: a misspelt value is reported on stderr."""
    here = Path(sys.executable).parent / "pycrm"
    require_path(here, "the pycrm console script of this venv")
    text = UNIT.read_text().replace("/usr/local/bin/pycrm run", f"{here} run")
    done = _verify(text.replace("KillMode=process", "KillMode=proces"), tmp_path)
    assert "kill mode" in done.stderr
