"""authkeys: syntax, permissions and the active-key rules of heartbeat/auth.c."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from heartbeat_compat.config.authkeys import (
    TOML_OPT_IN,
    auth_policy,
    check_keyfile,
    load_authkeys,
    parse_authkeys,
    weak_keys,
)
from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.wire import AuthKey, AuthKeys, AuthMethod

CLASSIC = "auth 1\n1 sha1 hbv1-sha1-secret\n2 md5 hbv1-md5-secret\n3 crc\n"


def pairs(keys: AuthKeys) -> dict[int, tuple[str, bytes, int]]:
    return {i: (k.method.value, k.secret, k.line) for i, k in keys.items()}


def test_classic_file_gives_the_wire_key_model(write_file: Callable[..., Path]) -> None:
    path = write_file("authkeys", CLASSIC)
    keys = load_authkeys(path)
    assert isinstance(keys, AuthKeys)
    assert keys.active == AuthKey.of(1, "sha1", "hbv1-sha1-secret")
    assert keys.active.method is AuthMethod.SHA1
    assert pairs(keys) == {
        1: ("sha1", b"hbv1-sha1-secret", 2),
        2: ("md5", b"hbv1-md5-secret", 3),
        3: ("crc", b"", 4),
    }
    assert keys.source == str(path)
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
    assert keys.active.index == 1
    assert bool(keys.warnings) == bool(mode & 0o022)


def test_owner_must_be_root_or_the_node_user() -> None:
    check_keyfile("ak", 0o100600, 0, 1000)  # root may always own it
    check_keyfile("ak", 0o100600, 1000, 1000)  # the user the node runs as
    with pytest.raises(HaConfigError) as err:
        check_keyfile("ak", 0o100600, 1001, 1000)
    assert err.value.code == "AUTH_BAD_OWNER"
    assert str(err.value) == (
        "ak: keyfile is owned by uid 1001, not by root or by the user running the node"
        " (uid 1000); chown it to root (mode 600)"
    )
    with pytest.raises(HaConfigError, match="Bad permissions"):  # mode first, as heartbeat
        check_keyfile("ak", 0o100644, 1001, 1000)


def test_load_checks_the_owner(write_file: Callable[..., Path]) -> None:
    path = write_file("authkeys", CLASSIC)
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)  # nobody owns it; the node runs as root
        node_user = 0
    else:
        node_user = os.geteuid() + 1  # we own it; the node runs as someone else
    with pytest.raises(HaConfigError) as err:
        load_authkeys(path, euid=node_user)
    assert err.value.code == "AUTH_BAD_OWNER"
    assert str(err.value).startswith(f"{path}: keyfile is owned by uid {path.stat().st_uid},")
    assert load_authkeys(path, euid=path.stat().st_uid).active.index == 1


# ------------------------------------------------------------------ crc policy

SPARE_CRC = b"auth 1\n1 sha1 s\n\n3 crc\n"


def test_sha1_and_md5_pass_the_policy_unchanged() -> None:
    keys = parse_authkeys(b"auth 1\n1 sha1 s\n2 md5 m\n", "ak")
    assert weak_keys(keys) is None
    policy = auth_policy(keys, allow_insecure=False)
    assert policy.refusal is None
    assert policy.warnings == ()
    assert policy.keys is keys


def test_a_spare_crc_key_refuses_the_node_in_one_line() -> None:
    keys = parse_authkeys(SPARE_CRC, "/etc/ha.d/authkeys")
    policy = auth_policy(keys, allow_insecure=False)
    assert policy.refusal == (
        "/etc/ha.d/authkeys:4: auth key 3 uses crc, an unkeyed checksum: anyone on the link"
        " can forge cluster packets; switch every node to sha1 with a secret key"
        " (heartbeat 3.0.6 supports it), or opt in with --allow-insecure-auth"
    )
    assert "\n" not in policy.refusal
    assert sorted(policy.keys) == [1]  # crc is never used to verify without the opt-in


def test_opt_in_keeps_crc_and_warns() -> None:
    keys = parse_authkeys(SPARE_CRC, "ak")
    policy = auth_policy(keys, allow_insecure=True)
    assert policy.refusal is None
    assert sorted(policy.keys) == [1, 3]
    (warning,) = policy.warnings
    assert warning.startswith("ak:4: auth key 3 uses crc, an unkeyed checksum")
    assert "running anyway because of --allow-insecure-auth" in warning
    assert "switch every node to sha1" in warning


def test_active_crc_and_the_daemons_own_switch() -> None:
    keys = parse_authkeys(b"auth 0\n0 crc\n2 crc\n5 sha1 s\n", "ak")
    weak = weak_keys(keys)
    assert weak is not None and (weak.line, weak.indexes) == (2, (0, 2))
    policy = auth_policy(keys, allow_insecure=False, opt_in=TOML_OPT_IN)
    assert policy.refusal is not None
    assert policy.refusal.startswith("ak:2: auth keys 0, 2 use crc,")
    assert policy.refusal.endswith("or opt in with [auth] allow_insecure_auth = true")
    with pytest.raises(LookupError):
        _ = policy.keys.active  # nothing to sign with: the node must not start


def test_writable_file_warning_is_kept_by_the_policy(write_file: Callable[..., Path]) -> None:
    keys = load_authkeys(write_file("authkeys", "auth 1\n1 sha1 s\n", 0o620))
    policy = auth_policy(keys, allow_insecure=False)
    assert policy.refusal is None
    assert len(policy.warnings) == 1 and "writable by group or other" in policy.warnings[0]


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
    assert keys.active.index == 2
    assert keys.active.secret == b"s3cr#t"


def test_later_index_replaces_earlier_and_auth_without_space() -> None:
    keys = parse_authkeys(b"auth1\n1 md5 old\n1sha1 new\n")
    assert keys.active.index == 1
    assert keys.active.method is AuthMethod.SHA1
    assert keys.active.secret == b"new"
    assert keys.active.line == 3


def test_secret_bytes_are_verbatim() -> None:
    keys = parse_authkeys(b"auth 1\r\n1 sha1 \xc3\xa9t\xe9\r\n")
    assert keys.active.secret == b"\xc3\xa9t\xe9"


def test_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(HaConfigError) as err:
        load_authkeys(tmp_path / "missing")
    assert err.value.code == "AUTH_CANNOT_OPEN"
