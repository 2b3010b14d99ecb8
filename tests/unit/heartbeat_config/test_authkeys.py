"""authkeys: syntax, permissions and the active-key rules of heartbeat/auth.c."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from heartbeat_compat.config.authkeys import load_authkeys, parse_authkeys
from heartbeat_compat.config.errors import HaConfigError

CLASSIC = "auth 1\n1 sha1 hbv1-sha1-secret\n2 md5 hbv1-md5-secret\n3 crc\n"


def test_classic_file(write_file: Callable[..., Path]) -> None:
    keys = load_authkeys(write_file("authkeys", CLASSIC))
    assert keys.active == 1
    assert keys.method == "sha1"
    assert keys.secret == b"hbv1-sha1-secret"
    assert keys.key_pairs() == {
        1: ("sha1", b"hbv1-sha1-secret"),
        2: ("md5", b"hbv1-md5-secret"),
        3: ("crc", b""),
    }
    assert keys.warnings == ()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o444])
def test_group_or_other_readable_is_refused(write_file: Callable[..., Path], mode: int) -> None:
    path = write_file("authkeys", CLASSIC, mode)
    with pytest.raises(HaConfigError) as err:
        load_authkeys(path)
    assert err.value.code == "AUTH_BAD_PERMISSIONS"
    assert "600 recommended" in str(err.value)
    assert str(err.value).startswith(str(path))


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o620, 0o602])
def test_only_read_bits_matter_like_heartbeat(write_file: Callable[..., Path], mode: int) -> None:
    keys = load_authkeys(write_file("authkeys", CLASSIC, mode))
    assert keys.active == 1
    assert bool(keys.warnings) == bool(mode & 0o022)


def test_crc_active_warns_loudly(
    write_file: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        keys = load_authkeys(write_file("authkeys", "auth 3\n3 crc\n"))
    assert keys.method == "crc"
    assert keys.secret == b""
    assert len(keys.warnings) == 1
    assert "not authentication" in keys.warnings[0]
    assert "not authentication" in caplog.text


def test_auth_line_must_precede_key_line() -> None:
    with pytest.raises(HaConfigError) as err:
        parse_authkeys(b"1 sha1 secret\nauth 1\n")
    assert err.value.code == "AUTH_KEY_NOT_FOUND"
    assert "after the 'auth' line" in err.value.message


def test_missing_auth_directive() -> None:
    with pytest.raises(HaConfigError) as err:
        parse_authkeys(b"1 sha1 secret\n")
    assert err.value.code == "AUTH_MISSING_DIRECTIVE"


def test_active_index_not_defined() -> None:
    with pytest.raises(HaConfigError) as err:
        parse_authkeys(b"auth 2\n1 sha1 secret\n")
    assert err.value.code == "AUTH_KEY_NOT_FOUND"
    assert "[2]" in err.value.message


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        (b"auth 1\n1 sha256 k\n", "AUTH_BAD_METHOD", 2),
        (b"auth 1\n1 crc key\n", "AUTH_KEY_UNUSED", 2),
        (b"auth 1\n1 sha1\n", "AUTH_KEY_REQUIRED", 2),
        (b"auth 1\n1 md5\n", "AUTH_KEY_REQUIRED", 2),
        (b"auth 1\n16 sha1 k\n", "AUTH_BAD_INDEX", 2),
        (b"auth 1\n-1 sha1 k\n", "AUTH_BAD_INDEX", 2),
        (b"authx\n", "AUTH_BAD_LINE", 1),
        (b"auth 1\nkey sha1 k\n", "AUTH_BAD_LINE", 2),
        (b"auth 1\n1\n", "AUTH_BAD_LINE", 2),
        (b"Auth 1\n", "AUTH_BAD_LINE", 1),
    ],
)
def test_bad_lines(content: bytes, code: str, line: int) -> None:
    with pytest.raises(HaConfigError) as err:
        parse_authkeys(content, "ak")
    assert err.value.code == code
    assert err.value.line == line
    assert str(err.value).startswith(f"ak:{line}:")


def test_comments_blanks_and_trailing_tokens() -> None:
    keys = parse_authkeys(
        b"# header\n\n   # indented comment\n  auth 2\n2 md5 s3cr#t ignored words\n"
    )
    assert keys.active == 2
    assert keys.secret == b"s3cr#t"


def test_later_index_replaces_earlier_and_auth_without_space() -> None:
    keys = parse_authkeys(b"auth1\n1 md5 old\n1sha1 new\n")
    assert keys.active == 1
    assert keys.method == "sha1"
    assert keys.secret == b"new"


def test_secret_bytes_are_verbatim() -> None:
    keys = parse_authkeys(b"auth 1\r\n1 sha1 \xc3\xa9t\xe9\r\n")
    assert keys.secret == b"\xc3\xa9t\xe9"


def test_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(HaConfigError) as err:
        load_authkeys(tmp_path / "missing")
    assert err.value.code == "AUTH_CANNOT_OPEN"
