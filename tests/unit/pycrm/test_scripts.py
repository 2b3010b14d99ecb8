"""pycrm.cli.scripts: the lean console scripts that scripts/install.sh puts in the venv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocf.install import import_paths
from pycrm.cli import scripts


def test_script_text_runs_python_isolated_without_site() -> None:
    text = scripts.script_text("pycrm", "pycrm.cli.main:main")
    lines = text.splitlines()
    assert lines[0] == f"#!{sys.executable} -IS"
    assert f"sys.prefix, sys.exec_prefix = {sys.prefix!r}, {sys.exec_prefix!r}" in lines
    assert f"sys.path += {import_paths()!r}" in lines
    assert lines[-2:] == ["from pycrm.cli.main import main", "sys.exit(main())"]
    with pytest.raises(ValueError, match="module:function"):
        scripts.script_text("bad", "pycrm.cli.main")


def test_installed_scripts_run_as_new_processes(tmp_path: Path) -> None:
    written = scripts.install_scripts(tmp_path)
    names = ["cl_status", "haresources2cib", "hb_standby", "hb_takeover", "pycrm"]
    assert sorted(p.name for p in written) == names
    for path in written:
        assert os.access(path, os.X_OK)
        assert path.read_text().startswith(f"#!{sys.executable} -IS\n")
    env = {**os.environ, "PYTHONPATH": "/nonexistent"}  # -I: ignored
    res = subprocess.run(
        [str(tmp_path / "pycrm"), "--help"], capture_output=True, text=True, env=env, check=False
    )
    assert res.returncode == 0, res.stderr
    assert "simulate" in res.stdout and "haresources2cib" in res.stdout
    # What `pycrm agents install` writes into the agents' launchers, from inside the script:
    probe = tmp_path / "probe"
    probe.write_text(
        scripts.script_text("probe", "pycrm.cli.main:main").replace(
            "from pycrm.cli.main import main\nsys.exit(main())",
            "from ocf.install import import_paths\nprint(import_paths())",
        )
    )
    probe.chmod(0o755)
    res = subprocess.run([str(probe)], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == repr(import_paths())
    res = subprocess.run(
        [str(tmp_path / "haresources2cib"), "--help"], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stderr
    assert "haresources" in res.stdout
    # heartbeat's commands, under heartbeat's names
    for name, words in (("hb_standby", "Release"), ("hb_takeover", "Take"), ("cl_status", "hb")):
        res = subprocess.run(
            [str(tmp_path / name), "--help"], capture_output=True, text=True, check=False
        )
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith(f"Usage: {name} ") and words in res.stdout
