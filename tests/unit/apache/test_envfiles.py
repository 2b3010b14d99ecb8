"""envfiles are parsed like a shell would source them, for the supported subset."""

from __future__ import annotations

from pathlib import Path

from ocf.httpd.envfiles import Unsupported, read_envfiles, split_words

DEBIAN_ENVVARS = """\
# envvars - default environment variables for apache2ctl

# this won't be correct after changing uid
unset HOME

# for supporting multiple apache2 instances
if [ "${APACHE_CONFDIR##/etc/apache2-}" != "${APACHE_CONFDIR}" ] ; then
\tSUFFIX="-${APACHE_CONFDIR##/etc/apache2-}"
else
\tSUFFIX=
fi

export APACHE_RUN_USER=www-data
export APACHE_RUN_GROUP=www-data
export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid
export APACHE_RUN_DIR=/var/run/apache2$SUFFIX
export APACHE_LOCK_DIR=/var/lock/apache2$SUFFIX
export APACHE_LOG_DIR=/var/log/apache2$SUFFIX
export LANG=C
export LANG
#APACHE_ULIMIT_MAX_FILES='ulimit -n 65536'
"""


def test_debian_envvars(tmp_path: Path) -> None:
    path = tmp_path / "envvars"
    path.write_text(DEBIAN_ENVVARS)
    reader = read_envfiles(str(path), {"HOME": "/root", "PATH": "/bin"})
    env = reader.env
    assert "HOME" not in env
    assert env["PATH"] == "/bin"
    assert env["APACHE_PID_FILE"] == "/var/run/apache2/apache2.pid"
    assert env["APACHE_LOG_DIR"] == "/var/log/apache2"
    assert env["APACHE_RUN_USER"] == "www-data"
    assert env["LANG"] == "C"
    assert "SUFFIX" not in env  # assignments inside the if block are not evaluated
    assert any("'if' block not evaluated" in note for note in reader.notes)


def test_quotes_and_expansion() -> None:
    env = {"A": "x y", "B": "b"}
    assert split_words("""export V="$A ${B}" W='$A' X=pre\\ post""", env) == [
        "export",
        "V=x y b",
        "W=$A",
        "X=pre post",
    ]
    assert split_words('Z="a\\"b\\$c"', env) == ['Z=a"b$c']
    assert split_words("Y=a # comment", env) == ["Y=a"]


def test_unsupported_lines_are_skipped_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "env"
    path.write_text(
        "A=$(hostname)\nB=`id`\nC=${D:-x}\nulimit -n 10\nE=1 F=2\nG=ok; rm -rf /\nH=good\n"
    )
    reader = read_envfiles(str(path), {})
    assert reader.changed == {"E": "1", "F": "2", "H": "good"}
    assert len(reader.notes) == 5
    assert all(note.startswith(f"{path}:") for note in reader.notes)


def test_sourcing_another_file_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "inner").write_text("INNER=1\n")
    outer = tmp_path / "outer"
    outer.write_text(". inner\nsource /nonexistent/file\nOUTER=$INNER\n")
    reader = read_envfiles(f"{outer} /nonexistent/envvars", {})
    assert reader.env["OUTER"] == "1"


def test_no_files_keeps_the_base_mapping() -> None:
    base = {"A": "1"}
    reader = read_envfiles("", base)
    assert reader.env is base


def test_split_words_rejects_shell_syntax() -> None:
    for text in ("a | b", "a && b", "x=$(y)", "echo `x`"):
        try:
            split_words(text, {})
        except Unsupported:
            continue
        raise AssertionError(f"{text!r} accepted")
