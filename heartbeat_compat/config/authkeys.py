"""authkeys parser, as heartbeat 3.0.6 `parse_authfile` (heartbeat/auth.c).

Public API::

    load_authkeys(path) -> AuthKeys
    parse_authkeys(data: bytes, filename="authkeys") -> AuthKeys   (no mode check)

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

``crc`` is an unkeyed checksum, not authentication: every load of a file
whose active method is crc logs a WARNING and returns its text in
``AuthKeys.warnings`` so command-line tools can print it.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from heartbeat_compat.config.errors import HaConfigError

log = logging.getLogger(__name__)

MAXAUTH = 16
AuthMethod = Literal["crc", "md5", "sha1"]
_METHODS: frozenset[str] = frozenset({"crc", "md5", "sha1"})
_AUTH_LINE = re.compile(rb"auth[ \t\n\r\f\v]*([+-]?[0-9]+)")
_KEY_LINE = re.compile(
    rb"([+-]?[0-9]+)[ \t\n\r\f\v]*([^ \t\n\r\f\v]+)(?:[ \t\n\r\f\v]+([^ \t\n\r\f\v]+))?"
)

CRC_WARNING = (
    "authkeys uses 'crc': CRC-32 is a checksum, not authentication - anyone who can "
    "send a UDP packet to the cluster can forge messages; use sha1 with a secret key"
)


@dataclass(frozen=True)
class AuthKey:
    """One ``<N> <method> [<key>]`` line. ``secret`` is b"" for crc."""

    index: int
    method: AuthMethod
    secret: bytes
    line: int


@dataclass(frozen=True)
class AuthKeys:
    """A loaded authkeys file.

    active   the index named by ``auth N`` (used to sign outgoing messages)
    keys     index -> AuthKey for every defined line (any may verify classic packets)
    warnings non-fatal findings (crc in use, group/other-writable file)
    """

    path: str
    active: int
    keys: Mapping[int, AuthKey] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()

    @property
    def method(self) -> AuthMethod:
        """Method of the active (signing) key."""
        return self.keys[self.active].method

    @property
    def secret(self) -> bytes:
        """Secret of the active (signing) key."""
        return self.keys[self.active].secret

    def key_pairs(self) -> dict[int, tuple[AuthMethod, bytes]]:
        """index -> (method, secret) for every defined key."""
        return {i: (k.method, k.secret) for i, k in self.keys.items()}


def load_authkeys(path: str | os.PathLike[str]) -> AuthKeys:
    """Read an authkeys file, refusing it exactly when heartbeat would.

    Raises HaConfigError with code ``AUTH_CANNOT_OPEN``, ``AUTH_BAD_PERMISSIONS``,
    ``AUTH_BAD_LINE``, ``AUTH_BAD_INDEX``, ``AUTH_BAD_METHOD``, ``AUTH_KEY_UNUSED``,
    ``AUTH_KEY_REQUIRED``, ``AUTH_MISSING_DIRECTIVE`` or ``AUTH_KEY_NOT_FOUND``.
    """
    filename = os.fspath(path)
    try:
        with open(filename, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            data = handle.read()
    except OSError as exc:
        raise HaConfigError(
            "AUTH_CANNOT_OPEN", filename, 0, "", f"Cannot open keyfile: {exc.strerror}"
        ) from None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        raise HaConfigError(
            "AUTH_BAD_PERMISSIONS",
            filename,
            0,
            "",
            f"Bad permissions on keyfile (mode {stat.S_IMODE(mode):04o}): readable by "
            "group or other; 600 recommended (heartbeat refuses to start)",
        )
    extra: list[str] = []
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        extra.append(
            f"{filename}: keyfile is writable by group or other "
            f"(mode {stat.S_IMODE(mode):04o}); 600 recommended"
        )
    keys = parse_authkeys(data, filename)
    if extra:
        for text in extra:
            log.warning("%s", text)
        keys = AuthKeys(keys.path, keys.active, keys.keys, (*keys.warnings, *extra))
    return keys


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
        index = int(key_match.group(1))
        method_b = key_match.group(2)
        secret = key_match.group(3) or b""
        method = method_b.decode("utf-8", errors="replace")
        if not 0 <= index < MAXAUTH:
            raise HaConfigError(
                "AUTH_BAD_INDEX", filename, lineno, method, f"Invalid authnum [{index}] (0..15)"
            )
        if method not in _METHODS:
            raise HaConfigError(
                "AUTH_BAD_METHOD",
                filename,
                lineno,
                method,
                f"Invalid authtype [{method}] (crc, md5 or sha1)",
            )
        if method == "crc" and secret:
            raise HaConfigError(
                "AUTH_KEY_UNUSED", filename, lineno, method, "Auth method [crc] doesn't use a key"
            )
        if method != "crc" and not secret:
            raise HaConfigError(
                "AUTH_KEY_REQUIRED",
                filename,
                lineno,
                method,
                f"Auth method [{method}] requires a key",
            )
        keys[index] = AuthKey(index, _method(method), secret, lineno)
        if index == authnum:
            active = index
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
    warnings: list[str] = []
    if keys[active].method == "crc":
        text = f"{filename}: {CRC_WARNING}"
        log.warning("%s", text)
        warnings.append(text)
    return AuthKeys(filename, active, MappingProxyType(keys), tuple(warnings))


def _method(name: str) -> AuthMethod:
    if name == "crc":
        return "crc"
    if name == "md5":
        return "md5"
    return "sha1"
