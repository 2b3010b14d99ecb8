"""The haresources2cib command: output, atomic -o, warnings on stderr, errors."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from pycrm.cli.haresources2cib import command, main
from pycrm.cli.main import main as pycrm_main
from tests.unit.migrate.conftest import CLASSIC_HACF, MakeHaD


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        return CliRunner()  # click >= 8.2 keeps stderr apart


def test_stdout_and_stderr(make_ha_d: MakeHaD, init_d: str) -> None:
    runner = _runner()
    res = runner.invoke(command, ["--ha-d", str(make_ha_d()), "--init-d", init_d])
    assert res.exit_code == 0, res.output
    root = etree.fromstring(res.stdout_bytes)
    assert root.tag == "cib"
    assert "warning:" in res.stderr
    assert "haresources2cib: 2 nodes, 1 groups, 1 clones" in res.stderr


def test_output_file_is_atomic_and_private(make_ha_d: MakeHaD, init_d: str, tmp_path: Path) -> None:
    out = tmp_path / "cib.xml"
    out.write_text("old")
    res = CliRunner().invoke(
        command,
        [
            "--ha-d",
            str(make_ha_d()),
            "--init-d",
            init_d,
            "-o",
            str(out),
            "-q",
            "--agents",
            "heartbeat",
        ],
    )
    assert res.exit_code == 0, res.output
    assert etree.fromstring(out.read_bytes()).find(".//primitive[@provider='linbit']") is not None
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_bad_ha_d_is_one_line_exit_2_nothing_written(
    make_ha_d: MakeHaD, init_d: str, tmp_path: Path
) -> None:
    ha_d = make_ha_d(hacf=CLASSIC_HACF + "deadtime 2s\n")
    out = tmp_path / "cib.xml"
    res = CliRunner().invoke(command, ["--ha-d", str(ha_d), "-o", str(out), "--init-d", init_d])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        f"haresources2cib: error: {ha_d}/ha.cf:10: deadtime: invalid time [2s]: a bare number is "
        "seconds, or use a ms/us suffix (s, sec and min are not accepted)"
    )
    assert not out.exists()


def test_bad_haresources_node(make_ha_d: MakeHaD, init_d: str) -> None:
    ha_d = make_ha_d(haresources="gamma 10.0.0.1\n")
    res = CliRunner().invoke(command, ["--ha-d", str(ha_d), "--init-d", init_d])
    assert res.exit_code == 2
    assert f"{ha_d}/haresources:1: gamma: Bad nodename" in res.output
    assert "<cib" not in res.output


def test_missing_ha_d(tmp_path: Path) -> None:
    res = CliRunner().invoke(command, ["--ha-d", str(tmp_path / "nope")])
    assert res.exit_code == 2
    assert "Cannot open config file" in res.output


def test_unwritable_output(make_ha_d: MakeHaD, init_d: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        command,
        [
            "--ha-d",
            str(make_ha_d()),
            "--init-d",
            init_d,
            "-o",
            str(tmp_path / "no" / "such" / "cib.xml"),
        ],
    )
    assert res.exit_code == 2
    assert "cannot write" in res.output


def test_registered_in_pycrm_and_console_script(make_ha_d: MakeHaD, init_d: str) -> None:
    res = CliRunner().invoke(pycrm_main, ["haresources2cib", "--help"])
    assert res.exit_code == 0
    assert "--agents" in res.output
    assert callable(main)


def test_special_output_files_are_not_replaced(
    make_ha_d: MakeHaD, init_d: str, tmp_path: Path
) -> None:
    import stat
    import threading

    fifo = tmp_path / "cib.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    res = CliRunner().invoke(
        command, ["--ha-d", str(make_ha_d()), "--init-d", init_d, "-q", "-o", str(fifo)]
    )
    reader.join(timeout=30)
    assert res.exit_code == 0, res.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].startswith(b"<?xml")


def test_symlinked_output_keeps_the_link(make_ha_d: MakeHaD, init_d: str, tmp_path: Path) -> None:
    target = tmp_path / "real-cib.xml"
    target.write_text("old")
    link = tmp_path / "cib.xml"
    link.symlink_to(target)
    res = CliRunner().invoke(
        command, ["--ha-d", str(make_ha_d()), "--init-d", init_d, "-q", "-o", str(link)]
    )
    assert res.exit_code == 0, res.output
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"<?xml")


def test_authkeys_with_crc_gets_the_nodes_warning(make_ha_d: MakeHaD, init_d: str) -> None:
    from heartbeat_compat.config.authkeys import load_authkeys, weak_keys

    ha_d = make_ha_d()
    keys = ha_d / "authkeys"
    keys.write_text("auth 1\n1 sha1 migrate-test\n3 crc\n")
    res = _runner().invoke(command, ["--ha-d", str(ha_d), "--init-d", init_d, "-q"])
    assert res.exit_code == 0, res.output
    weak = weak_keys(load_authkeys(keys))
    assert weak is not None
    # the very line `pycrm heartbeat` refuses to start with
    assert f"haresources2cib: warning: {weak.refusal()}\n" in res.stderr
    assert f"{keys}:3: auth key 3 uses crc" in res.stderr

    keys.write_text("auth 1\n1 sha1 migrate-test\n2 md5 also-keyed\n")
    res = _runner().invoke(command, ["--ha-d", str(ha_d), "--init-d", init_d, "-q"])
    assert "authkeys" not in res.stderr
    keys.unlink()  # authkeys is optional for a migration
    res = _runner().invoke(command, ["--ha-d", str(ha_d), "--init-d", init_d, "-q"])
    assert res.exit_code == 0 and "authkeys" not in res.stderr
    keys.write_text("auth 1\n1 sha256 x\n")
    res = _runner().invoke(command, ["--ha-d", str(ha_d), "--init-d", init_d, "-q"])
    assert res.exit_code == 0
    assert f"warning: {keys}:2: sha256: Invalid authtype [sha256]" in res.stderr
