"""Checks and defaults shared by the TOML and the ha.d loaders."""

from __future__ import annotations

import os
import pwd
import re
import shlex
from collections.abc import Sequence
from pathlib import Path

from heartbeat_compat.config.authkeys import auth_policy, load_authkeys, weak_keys
from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.hacf_model import Medium
from heartbeat_compat.config.lexer import parse_msec
from heartbeat_compat.membership.media import build_media
from heartbeat_compat.migrate.cibgen import to_bytes
from heartbeat_compat.migrate.model import Plan
from heartbeat_compat.transport.base import MediumSetupError
from pycrm.daemon.config_model import ConfigError, QuorumOptions

# "<number>[unit]": ha.cf's units (ms, msec, us, usec, none = seconds) plus s/sec.
_TIME = re.compile(
    r"\s*(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>ms|msec|us|usec|s|sec)?\s*"
)
_OPERATORS = frozenset("|&;<>()\n")
_EXPANSIONS = frozenset("$`")


def parse_time_ms(value: object) -> int | None:
    """A TOML time in milliseconds, None when invalid.

    Strings are ha.cf times (a bare number is seconds, ``ms``/``msec``, ``us``/
    ``usec``; the conversion and rounding are heartbeat's `parse_msec`) plus the
    ``s``/``sec`` suffix ha.cf lacks: ``"200ms"``, ``"1s"``, ``"2"``, ``"1.5"``.
    A TOML number is seconds (``2``, ``0.5``).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value < 0:
            return None
        return parse_msec(repr(float(value)))
    if not isinstance(value, str):
        return None
    match = _TIME.fullmatch(value)
    if match is None:
        return None
    unit = match.group("unit") or ""
    number = match.group("num")
    return parse_msec(number if unit in ("s", "sec") else number + unit)


def default_local_node() -> str:
    """heartbeat's node name when nothing else says: ``uname -n``, lowercased."""
    return os.uname().nodename.lower()


def default_quorum(
    node_count: int, two_node: bool | None = None, wait_for_all: bool | None = None
) -> QuorumOptions:
    """two_node defaults to true for exactly two nodes, wait_for_all to two_node."""
    both = node_count == 2 if two_node is None else two_node
    return QuorumOptions(both, both if wait_for_all is None else wait_for_all)


def check_keyfile(
    path: Path, *, where: str, line: int, allow_insecure: bool, opt_in: str
) -> tuple[str, ...]:
    """Parse the authkeys file now and apply pycrm's auth policy, so that a bad one stops the
    start with its line.

    A file that does not exist is reported at `where`:`line` (the line that names it); a
    file that exists but is wrong, at its own line; a crc key without the opt-in (`opt_in`
    names the switch in the message), at the line of that key. Returns the warnings to log
    at every start (crc accepted because of the opt-in, a group-writable file).
    """
    if not path.exists():
        raise ConfigError(where, line, f"keyfile {path} does not exist")
    try:
        keys = load_authkeys(path)
    except HaConfigError as err:
        raise ConfigError.from_ha(err) from None
    weak = weak_keys(keys)
    if weak is not None and not allow_insecure:
        raise ConfigError(path, weak.line, weak.advice(opt_in))
    return auth_policy(keys, allow_insecure=allow_insecure, opt_in=opt_in).warnings


def check_media(media: Sequence[Medium], udpport: int, baud: int, where: str) -> None:
    """Build each medium once (nothing is opened) so its errors name its line."""
    for medium in media:
        try:
            build_media([medium], udpport, baud)
        except MediumSetupError as err:
            raise ConfigError(where, medium.line, str(err)) from None


def respawn_argv(command: str) -> tuple[str, ...]:
    """Split a respawn command into argv; ValueError for what only a shell could run.

    heartbeat ran ``sh -c "exec <command>"``. pycrm runs the program directly:
    quotes and backslashes are honoured as a POSIX shell splits words, but pipes,
    redirections, command lists, subshells, substitutions and variables are
    refused (put them in a script). Glob characters are passed literally.
    """
    feature = _shell_feature(command)
    if feature is not None:
        raise ValueError(
            f"shell syntax [{feature}] is not supported (pycrm runs the program without "
            "a shell); put the command in a script"
        )
    try:
        words = shlex.split(command)
    except ValueError as err:
        raise ValueError(f"cannot split the command: {err}") from None
    if not words:
        raise ValueError("no program given")
    return tuple(words)


def _shell_feature(command: str) -> str | None:
    """The first character a shell would act on beyond quoting, None if there is none."""
    quote = ""
    escaped = False
    for ch in command:
        if escaped:
            escaped = False
        elif quote == "'":
            if ch == "'":
                quote = ""
        elif ch == "\\":
            escaped = True
        elif quote == '"':
            if ch == '"':
                quote = ""
            elif ch in _EXPANSIONS:
                return ch
        elif ch in "'\"":
            quote = ch
        elif ch in _OPERATORS or ch in _EXPANSIONS:
            return ch
    return None


def check_respawn_host(user: str, program: str) -> str | None:
    """heartbeat's start-up checks of a respawn line: the user exists, the program
    is an executable file. Returns the problem, None when fine."""
    try:
        pwd.getpwnam(user)
    except KeyError:
        return f"Invalid uid [{user}] specified for client child: no such user"
    if not os.path.isfile(program) or not os.access(program, os.X_OK):
        return f"Client child command [{program}] is not executable"
    return None


def empty_cib(nodes: Sequence[str]) -> bytes:
    """A Pacemaker CIB with the configured nodes and no resources, version 0/0/0.

    stonith-enabled is false, as in the ha.d translation of a heartbeat cluster
    without STONITH: with Pacemaker's default (true) and no fencing device,
    crm_verify rejects the CIB and no resource may start.
    """
    plan = Plan(
        nodes=list(nodes),
        properties=[("stonith-enabled", "false")],
        rsc_defaults=[],
        resources=[],
        constraints=[],
        comments=[
            "Created by pycrm run for a cluster with no CIB yet. stonith-enabled=false: no "
            "fencing device is configured, so shared data is not protected; configure one "
            "and set it to true."
        ],
        version=(0, 0, 0),
    )
    return to_bytes(plan)
