"""authkeys: heartbeat 3.0.6's `parse_authfile` (heartbeat/auth.c) and pycrm's key policy.

Public API::

    load_authkeys(path, euid=None) -> AuthKeys        (mode and owner checked)
    parse_authkeys(data: bytes, filename="authkeys") -> AuthKeys   (no file checks)
    weak_keys(keys) -> WeakKeys | None                 (the crc keys, as data)
    auth_policy(keys, allow_insecure=..., opt_in=...) -> AuthPolicy

The result is the wire layer's `AuthKeys` (`heartbeat_compat.wire.auth`): the one
key model, which signs and verifies. Each `AuthKey` keeps its ``line``; the
collection keeps ``source`` (the file) and ``warnings`` (non-fatal findings).

File format::

    # comment (only when '#' is the first non-blank character)
    auth <N>                  # any line starting with 'a' is read as "auth %d"
    <N> <method> [<key>]      # N 0..15; method crc | md5 | sha1; key = one token

Rules reproduced from heartbeat:

* the file must not be readable by group or other (``mode & 0o044``), else
  ``Bad permissions on keyfile [...], 600 recommended.`` and heartbeat refuses
  to start; write bits do not matter to heartbeat (we add a warning);
* ``auth N`` selects the signing key, and **it must come before the key line
  N**: heartbeat binds the active key while reading that key line, so a file
  listing ``1 sha1 k`` before ``auth 1`` fails with ``Auth Key [1] not found``;
* ``crc`` takes no key, ``md5``/``sha1`` need one; the key is the third token as
  raw bytes, anything after it is ignored (a ``#`` there is NOT a comment);
* a later line with the same index replaces the earlier one.

Stricter than heartbeat:

* the file must be owned by root or by the user running the node (heartbeat
  only checks the mode): a secret that another user owns is a secret that user
  can change;
* the policy below: a ``crc`` key, active **or spare**, refuses the node unless
  the administrator opts in. Incoming packets are verified with every key of
  the file (heartbeat does the same for classic packets), so a spare crc line
  lets anyone forge packets as ``auth=<N> <crc32>``. md5 keys are accepted:
  HMAC-MD5 is a keyed MAC, and no forgery of it is known without the secret.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from dataclasses import dataclass

from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.wire.auth import MAX_AUTH_INDEX, AuthKey, AuthKeys, AuthMethod

log = logging.getLogger(__name__)

_METHODS: frozenset[str] = frozenset(m.value for m in AuthMethod)
_AUTH_LINE = re.compile(rb"auth[ \t\n\r\f\v]*([+-]?[0-9]+)")
_KEY_LINE = re.compile(
    rb"([+-]?[0-9]+)[ \t\n\r\f\v]*([^ \t\n\r\f\v]+)(?:[ \t\n\r\f\v]+([^ \t\n\r\f\v]+))?"
)

CLI_OPT_IN = "--allow-insecure-auth"
"""How `pycrm heartbeat` opts in to crc; `pycrm run` passes its TOML switch instead."""
TOML_OPT_IN = "[auth] allow_insecure_auth = true"
"""The opt-in of the coming `pycrm run` TOML configuration, for its messages."""


def load_authkeys(path: str | os.PathLike[str], euid: int | None = None) -> AuthKeys:
    """Read an authkeys file, refusing it when heartbeat would and when another user owns it.

    ``euid`` is the user the node runs as (default: ``os.geteuid()``); root may
    always own the file.

    Raises HaConfigError with code ``AUTH_CANNOT_OPEN``, ``AUTH_BAD_PERMISSIONS``,
    ``AUTH_BAD_OWNER``, ``AUTH_BAD_LINE``, ``AUTH_BAD_INDEX``, ``AUTH_BAD_METHOD``,
    ``AUTH_KEY_UNUSED``, ``AUTH_KEY_REQUIRED``, ``AUTH_MISSING_DIRECTIVE`` or
    ``AUTH_KEY_NOT_FOUND``.
    """
    filename = os.fspath(path)
    try:
        with open(filename, "rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as exc:
        raise HaConfigError(
            "AUTH_CANNOT_OPEN", filename, 0, "", f"Cannot open keyfile: {exc.strerror}"
        ) from None
    extra = check_keyfile(
        filename, info.st_mode, info.st_uid, os.geteuid() if euid is None else euid
    )
    keys = parse_authkeys(data, filename)
    for text in extra:
        log.warning("%s", text)
    return AuthKeys(keys.values(), keys.active.index, source=filename, warnings=extra)


def check_keyfile(filename: str, mode: int, uid: int, euid: int) -> tuple[str, ...]:
    """Raise for a keyfile that group or other can read, or that someone else owns.

    Returns the non-fatal findings (group/other may write it).
    """
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        raise HaConfigError(
            "AUTH_BAD_PERMISSIONS",
            filename,
            0,
            "",
            f"Bad permissions on keyfile (mode {stat.S_IMODE(mode):04o}): readable by "
            "group or other; 600 recommended (heartbeat refuses to start)",
        )
    if uid not in (0, euid):
        raise HaConfigError(
            "AUTH_BAD_OWNER",
            filename,
            0,
            "",
            f"keyfile is owned by uid {uid}, not by root or by the user running the node"
            f" (uid {euid}); chown it to root (mode 600)",
        )
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (
            f"{filename}: keyfile is writable by group or other "
            f"(mode {stat.S_IMODE(mode):04o}); 600 recommended",
        )
    return ()


def parse_authkeys(data: bytes, filename: str = "authkeys") -> AuthKeys:
    """Parse authkeys content (no permission check; see load_authkeys)."""
    authnum = -1
    active: int | None = None
    keys: dict[int, AuthKey] = {}
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        bp = raw.lstrip(b" \t\n\r\f")
        if not bp or bp.startswith(b"#"):
            continue
        shown = raw.rstrip(b"\r").decode("utf-8", errors="replace")
        if bp.startswith(b"a"):
            match = _AUTH_LINE.match(bp)
            if match is None:
                raise HaConfigError(
                    "AUTH_BAD_LINE", filename, lineno, "auth", f"Invalid auth line [{shown}]"
                )
            authnum = int(match.group(1))
            continue
        key_match = _KEY_LINE.match(bp)
        if key_match is None:
            raise HaConfigError(
                "AUTH_BAD_LINE", filename, lineno, "", f"Auth line [{shown}] is invalid."
            )
        key = _key(key_match, filename, lineno)
        keys[key.index] = key
        if key.index == authnum:
            active = key.index
    if active is None:
        if authnum < 0:
            raise HaConfigError(
                "AUTH_MISSING_DIRECTIVE", filename, 0, "auth", "Missing auth directive in keyfile"
            )
        hint = (
            " (heartbeat only accepts a key line that comes after the 'auth' line)"
            if authnum in keys
            else ""
        )
        raise HaConfigError(
            "AUTH_KEY_NOT_FOUND",
            filename,
            0,
            "auth",
            f"Auth Key [{authnum}] not found in keyfile{hint}",
        )
    return AuthKeys(keys.values(), active, source=filename)


def _key(match: re.Match[bytes], filename: str, lineno: int) -> AuthKey:
    index = int(match.group(1))
    secret = match.group(3) or b""
    method = match.group(2).decode("utf-8", errors="replace")
    if not 0 <= index <= MAX_AUTH_INDEX:
        raise HaConfigError(
            "AUTH_BAD_INDEX",
            filename,
            lineno,
            method,
            f"Invalid authnum [{index}] (0..{MAX_AUTH_INDEX})",
        )
    if method not in _METHODS:
        raise HaConfigError(
            "AUTH_BAD_METHOD",
            filename,
            lineno,
            method,
            f"Invalid authtype [{method}] (crc, md5 or sha1)",
        )
    if method == AuthMethod.CRC and secret:
        raise HaConfigError(
            "AUTH_KEY_UNUSED", filename, lineno, method, "Auth method [crc] doesn't use a key"
        )
    if method != AuthMethod.CRC and not secret:
        raise HaConfigError(
            "AUTH_KEY_REQUIRED", filename, lineno, method, f"Auth method [{method}] requires a key"
        )
    return AuthKey(index, AuthMethod(method), secret, line=lineno)


# ----------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class WeakKeys:
    """The unkeyed (crc) entries of an authkeys file, as data.

    source   the file; line: the line of the first crc entry; indexes: every crc index
    """

    source: str
    line: int
    indexes: tuple[int, ...]

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    def why(self) -> str:
        if len(self.indexes) == 1:
            subject = f"auth key {self.indexes[0]} uses crc"
        else:
            subject = f"auth keys {', '.join(str(i) for i in self.indexes)} use crc"
        return f"{subject}, an unkeyed checksum: anyone on the link can forge cluster packets"

    def advice(self, opt_in: str = CLI_OPT_IN) -> str:
        """Why the node refuses to start and the two fixes, without the location."""
        return (
            f"{self.why()}; switch every node to sha1 with a secret key"
            f" (heartbeat 3.0.6 supports it), or opt in with {opt_in}"
        )

    def refusal(self, opt_in: str = CLI_OPT_IN) -> str:
        """The one line a node prints when it refuses to start: where, why, and the fixes."""
        return f"{self.where}: {self.advice(opt_in)}"

    def accepted(self, opt_in: str = CLI_OPT_IN) -> str:
        """The warning a node logs at every start when the administrator opted in."""
        return (
            f"{self.where}: {self.why()}; running anyway because of {opt_in}:"
            " switch every node to sha1 with a secret key (heartbeat 3.0.6 supports it)"
        )


def weak_keys(keys: AuthKeys) -> WeakKeys | None:
    """The crc entries of `keys` (active or spare), or None when every key is an HMAC."""
    crc = sorted((k for k in keys.values() if not k.keyed), key=lambda k: (k.line, k.index))
    if not crc:
        return None
    return WeakKeys(keys.source, crc[0].line, tuple(sorted(k.index for k in crc)))


@dataclass(frozen=True)
class AuthPolicy:
    """What a node may do with its authkeys.

    refusal   None, or the one line to print before exiting non-zero (do not start)
    warnings  lines to log at WARNING at every start (crc opted in, a writable file)
    keys      the keys to sign with and to verify incoming packets with: all of the
              file's keys once the policy passes (crc only when opted in)
    """

    refusal: str | None
    warnings: tuple[str, ...]
    keys: AuthKeys


def auth_policy(keys: AuthKeys, *, allow_insecure: bool, opt_in: str = CLI_OPT_IN) -> AuthPolicy:
    """pycrm's rule for authkeys: any crc entry refuses the node unless ``allow_insecure``.

    ``opt_in`` names the caller's switch in the messages: `CLI_OPT_IN` for
    `pycrm heartbeat`, `TOML_OPT_IN` for `pycrm run`.
    """
    weak = weak_keys(keys)
    if weak is None:
        return AuthPolicy(None, keys.warnings, keys)
    if allow_insecure:
        return AuthPolicy(None, (weak.accepted(opt_in), *keys.warnings), keys)
    return AuthPolicy(weak.refusal(opt_in), keys.warnings, keys.keyed_only())
