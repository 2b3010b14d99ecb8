"""Reading the facts the agent needs from an httpd configuration tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocf.httpd.conf import ConfigError, read_config, split_args


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_includes_globs_directories_and_server_root(tmp_path: Path) -> None:
    root = tmp_path / "etc"
    main = _write(
        root / "httpd.conf",
        f'ServerRoot "{root}"\n'
        "Include ports.conf\n"
        "IncludeOptional conf.d/*.conf\n"
        "IncludeOptional missing/*.conf\n"
        "Include sites\n",
    )
    _write(root / "ports.conf", "Listen 127.0.0.1:8081\nListen 8443 https\n")
    _write(root / "conf.d" / "b.conf", "PidFile run/b.pid\n")
    _write(root / "conf.d" / "a.conf", "PidFile run/a.pid\n")
    _write(root / "conf.d" / "ignored.txt", "PidFile run/never.pid\n")
    _write(
        root / "sites" / "deep" / "status.conf",
        "<IfModule mod_status.c>\n<Location /status>\n  SetHandler server-status\n"
        "</Location>\n</IfModule>\n",
    )
    conf, effective_root = read_config(str(main), env={}, root="/nonexistent")
    assert effective_root == str(root)
    assert conf.listen == [["127.0.0.1:8081"], ["8443", "https"]]
    assert conf.pidfile == "run/a.pid"  # sorted glob: a.conf first, first PidFile wins
    assert conf.pidfile_path(effective_root) == f"{root}/run/a.pid"
    assert conf.status_locations == ["/status"]
    assert len(conf.files) == 5
    assert conf.notes == []


def test_missing_include_is_noted_not_fatal(tmp_path: Path) -> None:
    main = _write(tmp_path / "httpd.conf", "Include nothing-here.conf\nListen 80\n")
    conf, _ = read_config(str(main), env={}, root=str(tmp_path))
    assert conf.listen == [["80"]]
    assert "nothing-here.conf" in conf.notes[0]


def test_variables_defines_ifdefine_and_continuations(tmp_path: Path) -> None:
    main = _write(
        tmp_path / "httpd.conf",
        "Define RUNDIR /srv/run\n"
        "<IfDefine !STATUS>\n  PidFile /wrong.pid\n  <Location /x>\n  </Location>\n</IfDefine>\n"
        "<IfDefine EXTRA>\n  Listen 9999\n</IfDefine>\n"
        "PidFile ${RUNDIR}/${NAME}.pid\n"
        "Port ${UNDEFINED}\n"
        "Listen \\\n   127.0.0.1:8080\n"
        "ErrorLog ${LOGDIR}/error.log\n"
        "<VirtualHost *:8080>\n  ErrorLog /vhost.log\n"
        '  <Location "/server-status">\n    SetHandler server-status\n  </Location>\n'
        "</VirtualHost>\n",
    )
    conf, _ = read_config(
        str(main), env={"NAME": "web", "LOGDIR": "/logs"}, root="/", defines={"STATUS"}
    )
    assert conf.pidfile == "/srv/run/web.pid"
    assert conf.port == "${UNDEFINED}"  # httpd would refuse it; we keep it verbatim
    assert conf.listen == [["127.0.0.1:8080"]]
    assert conf.error_log == "/logs/error.log"
    assert conf.status_locations == ["/server-status"]
    conf2, _ = read_config(str(main), env={}, root="/", defines={"STATUS", "EXTRA"})
    assert conf2.listen == [["9999"], ["127.0.0.1:8080"]]


def test_relative_pidfile_is_under_server_root(tmp_path: Path) -> None:
    # httpd 2.4.71 writes a relative PidFile under ServerRoot, DefaultRuntimeDir or not.
    main = _write(tmp_path / "httpd.conf", "DefaultRuntimeDir rt\nPidFile httpd.pid\n")
    conf, root = read_config(str(main), env={}, root=str(tmp_path))
    assert conf.pidfile_path(root) == f"{tmp_path}/httpd.pid"


def test_last_server_status_location_wins(tmp_path: Path) -> None:
    main = _write(
        tmp_path / "httpd.conf",
        "<Location /one>\nSetHandler server-status\n</Location>\n"
        "<LocationMatch ^/re>\nSetHandler server-status\n</LocationMatch>\n"
        "<Location /info>\nSetHandler server-info\n</Location>\n"
        "<Location /two>\n  sethandler Server-Status\n</Location>\n",
    )
    conf, _ = read_config(str(main), env={}, root=str(tmp_path))
    assert conf.status_locations == ["/one", "/two"]


def test_include_loop_is_an_error(tmp_path: Path) -> None:
    main = _write(tmp_path / "a.conf", f"Include {tmp_path}/b.conf\n")
    _write(tmp_path / "b.conf", f"Include {tmp_path}/a.conf\n")
    with pytest.raises(ConfigError, match="include loop"):
        read_config(str(main), env={}, root=str(tmp_path))


def test_unreadable_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_config(str(tmp_path / "missing.conf"), env={}, root=str(tmp_path))


def test_relative_config_path_is_under_the_root(tmp_path: Path) -> None:
    _write(tmp_path / "conf" / "httpd.conf", "Listen 81\n")
    conf, _ = read_config("conf/httpd.conf", env={}, root=str(tmp_path))
    assert conf.listen == [["81"]]


def test_split_args_quotes() -> None:
    assert split_args("a \"b c\" 'd e' f") == ["a", "b c", "d e", "f"]
    assert split_args('"x \\" y"') == ['x " y']
    assert split_args("") == []


def test_directory_symlink_loop_and_fifo(tmp_path: Path) -> None:
    import os

    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "loop").symlink_to(inc)
    os.mkfifo(inc / "fifo")
    main = _write(tmp_path / "httpd.conf", f"Include {inc}\nListen 80\n")
    with pytest.raises(ConfigError, match="nested more than"):
        read_config(str(main), env={}, root=str(tmp_path))
    (inc / "loop").unlink()
    conf, _ = read_config(str(main), env={}, root=str(tmp_path))
    assert conf.listen == [["80"]]
    assert "not a regular file" in conf.notes[0]
