"""haresources parser, as heartbeat's ResourceManager reads the file.

Public API::

    read_haresources(path, *, nodes=None, ha_d=None, init_d="/etc/init.d")
        -> HaResources   (groups + warnings + hints)
    parse_haresources(text, filename="haresources", ...) -> list[ResourceGroup]

Pre-processing (ResourceManager ``ipres()``), reproduced exactly:

1. everything from ``#`` to the end of a line is removed;
2. a line that then ends in ``\\`` is joined with the next line; the backslash
   and the newline are removed and **no blank is inserted** (``a\\`` + ``b`` is
   ``ab``: reported as a warning). The joined line's comment is *not* stripped
   by heartbeat (it would run ``#`` as a resource), so that is an error here;
3. blanks/tabs collapse, empty lines are dropped;
4. the first word (the node) is lowercased.

Grammar::

    line     = node 1*( blank resource )
    resource = ipspec | script *( "::" arg )
    ipspec   = anything matching the shell glob [0-9]*.[0-9]*.[0-9]*.[0-9]*
               (shorthand for IPaddr::<ipspec>, see `ip_shorthand`)

Script resolution (``scriptpath``): ``<ha.d>/resource.d/<script>`` when it is
a regular executable file (a heartbeat "R1" resource script), else
``/etc/init.d/<script>`` (LSB init script), else unresolved.

The first resource of a line is the group *key*; keys must be unique. When the
ha.cf node list is given, the first word must be one of its nodes (heartbeat's
``Bad nodename in haresources``). Two checks are stricter than heartbeat's
start-up check (which only looks at that first word): a line without resources
and a repeated group key are errors here, because ResourceManager mis-handles
both at run time.

Comment conventions of the upstream haresources2cib tool are recognised as
hints (heartbeat itself ignores them): a trailing ``#name`` word names the
group; ``#rsc_order`` / ``#rsc_colocation`` lines are reported in
``HaResources.directives``.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from heartbeat_compat.config.errors import HaConfigError

ScriptKind = Literal["heartbeat", "lsb", "missing"]
_IP_GLOB = "[0-9]*.[0-9]*.[0-9]*.[0-9]*"
_ID_HINT = re.compile(r"(?:^|\s)#([A-Za-z_][A-Za-z0-9_.-]*)\s*$")


@dataclass(frozen=True)
class IpSpec:
    """An ``ip[/netmask[/nic[:label]][/broadcast]]`` argument, split like the
    resource.d/IPaddr and IPaddr2 wrappers do: the 2nd field is always the netmask;
    a 3rd field starting with a digit is the broadcast (no nic); otherwise it is
    the nic and the 4th field the broadcast."""

    ip: str
    cidr_netmask: str | None = None
    nic: str | None = None
    iflabel: str | None = None
    broadcast: str | None = None


@dataclass(frozen=True)
class Resource:
    """One resource word of a haresources line.

    spec         the word as written (``10.0.0.5/24/eth0``, ``Filesystem::/dev/sdb1::/data``)
    script       the script name (``IPaddr`` for the bare-IP shorthand)
    args         the ``::`` arguments (empty ones dropped, like the shell did)
    implicit_ip  True for the bare-IP shorthand
    kind         heartbeat (resource.d), lsb (init.d) or missing
    path         the resolved script path, if any
    """

    spec: str
    script: str
    args: tuple[str, ...]
    implicit_ip: bool = False
    kind: ScriptKind = "missing"
    path: str | None = None


@dataclass(frozen=True)
class ResourceGroup:
    """One haresources line: the preferred node and its resources in start order."""

    node: str
    resources: tuple[Resource, ...]
    line: int
    id_hint: str | None = None

    @property
    def key(self) -> str:
        """heartbeat's group key: the first resource word."""
        return self.resources[0].spec


@dataclass(frozen=True)
class HaResources:
    """The parsed file: groups in file order, ignored directives and warnings."""

    path: str
    groups: tuple[ResourceGroup, ...]
    directives: tuple[tuple[int, str], ...] = ()
    warnings: tuple[str, ...] = ()


def is_ip_shorthand(word: str) -> bool:
    """heartbeat's ``isip``: the shell glob ``[0-9]*.[0-9]*.[0-9]*.[0-9]*``."""
    return fnmatch.fnmatchcase(word, _IP_GLOB)


def ip_shorthand(arg: str) -> IpSpec:
    """Split an IPaddr/IPaddr2 argument the way the resource.d wrappers do.

    Raises ValueError when the address or netmask is not valid.
    """
    parts = arg.split("/")
    ip = parts[0]
    ipaddress.ip_address(ip)  # raises ValueError
    netmask = parts[1] if len(parts) > 1 and parts[1] else None
    nic = iflabel = broadcast = None
    third = parts[2] if len(parts) > 2 else ""
    if third[:1].isdigit():
        broadcast = third
    elif third:
        nic = third
        broadcast = parts[3] if len(parts) > 3 and parts[3] else None
        if ":" in nic:
            nic, iflabel = nic.split(":", 1)
            iflabel = iflabel or None
    if netmask is not None:
        netmask = _normalise_netmask(ip, netmask)
    if broadcast is not None:
        ipaddress.ip_address(broadcast)
    if len(parts) > 4 or (len(parts) == 4 and not nic):
        raise ValueError(f"too many '/' fields in [{arg}]")
    return IpSpec(ip, netmask, nic, iflabel, broadcast)


def _normalise_netmask(ip: str, netmask: str) -> str:
    if netmask.isdigit():
        bits = int(netmask)
        if bits > (32 if ipaddress.ip_address(ip).version == 4 else 128):
            raise ValueError(f"netmask [{netmask}] out of range")
        return str(bits)
    # dotted netmask: IPaddr2 accepts it; give the prefix length
    return str(ipaddress.IPv4Network(f"0.0.0.0/{netmask}").prefixlen)


def _split_resource(word: str) -> tuple[str, tuple[str, ...], bool]:
    if is_ip_shorthand(word):
        return "IPaddr", (word,), True
    if "::" in word:
        script, rest = word.split("::", 1)
        return script, tuple(a for a in rest.split("::") if a), False
    return word, (), False


def resolve_script(script: str, ha_d: str | None, init_d: str) -> tuple[ScriptKind, str | None]:
    """ResourceManager ``scriptpath``: resource.d first, then init.d."""
    candidates: list[tuple[ScriptKind, str]] = []
    if ha_d is not None:
        candidates.append(("heartbeat", os.path.join(ha_d, "resource.d", script)))
    candidates.append(("lsb", os.path.join(init_d, script)))
    for kind, path in candidates:
        if "/" not in script and os.path.isfile(path) and os.access(path, os.X_OK):
            return kind, path
    return "missing", None


def read_haresources(
    path: str | os.PathLike[str],
    *,
    nodes: Sequence[str] | None = None,
    ha_d: str | os.PathLike[str] | None = None,
    init_d: str = "/etc/init.d",
) -> HaResources:
    """Read a haresources file (see the module docstring).

    nodes   the ha.cf node list; when given, every line's node must be in it
    ha_d    directory whose ``resource.d`` resolves heartbeat scripts
            (default: the directory containing the file)
    init_d  where LSB init scripts live
    """
    filename = os.fspath(path)
    try:
        text = Path(filename).read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as exc:
        raise HaConfigError(
            "HARES_CANNOT_OPEN", filename, 0, "", f"Cannot open resources file: {exc.strerror}"
        ) from None
    base = os.fspath(ha_d) if ha_d is not None else os.path.dirname(os.path.abspath(filename))
    return parse_haresources(text, filename, nodes=nodes, ha_d=base, init_d=init_d)


def _logical_lines(
    text: str, filename: str, warnings: list[str]
) -> list[tuple[int, str, str | None]]:
    """(first line number, joined text, id hint) per logical line."""
    raw_lines = text.split("\n")
    result: list[tuple[int, str, str | None]] = []
    i = 0
    while i < len(raw_lines):
        start = i + 1
        raw = raw_lines[i]
        hint_match = _ID_HINT.search(raw)
        hint = hint_match.group(1) if hint_match and not raw.lstrip().startswith("#") else None
        line = raw.split("#", 1)[0].rstrip("\r")
        while line.endswith("\\") and i + 1 < len(raw_lines):
            i += 1
            nxt = raw_lines[i].rstrip("\r")
            if "#" in nxt:
                raise HaConfigError(
                    "HARES_COMMENT_IN_CONTINUATION",
                    filename,
                    i + 1,
                    "",
                    "comment on a continued line: heartbeat's ResourceManager does not strip "
                    "it and would run '#' as a resource; move the comment to its own line",
                )
            head = line[:-1]
            if head and not head[-1].isspace() and nxt and not nxt[0].isspace():
                glued = (head.split() or [""])[-1] + (nxt.split() or [""])[0]
                warnings.append(
                    f"{filename}:{i + 1}: line continuation joins words into '{glued}' "
                    "(heartbeat inserts no blank); put a blank before the backslash"
                )
            line = head + nxt
        i += 1
        if line.strip():
            result.append((start, line, hint))
    return result


def parse_haresources(
    text: str,
    filename: str = "haresources",
    *,
    nodes: Sequence[str] | None = None,
    ha_d: str | None = None,
    init_d: str = "/etc/init.d",
) -> HaResources:
    """Parse haresources content (see read_haresources)."""
    warnings: list[str] = []
    directives: list[tuple[int, str]] = []
    for lineno, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped.startswith(("#rsc_order", "#rsc_colocation")):
            directives.append((lineno, stripped))
    known = [n.lower() for n in nodes] if nodes is not None else None
    groups: list[ResourceGroup] = []
    keys: dict[str, int] = {}
    for lineno, line, hint in _logical_lines(text, filename, warnings):
        words = line.split()
        node = words[0].lower()
        if known is not None and node not in known:
            raise HaConfigError(
                "HARES_BAD_NODE",
                filename,
                lineno,
                words[0],
                f"Bad nodename [{words[0]}]: not a node declared in ha.cf "
                f"({', '.join(known) or 'none'})",
            )
        if len(words) < 2:
            raise HaConfigError(
                "HARES_NO_RESOURCES", filename, lineno, words[0], "line names no resources"
            )
        resources = []
        for word in words[1:]:
            script, args, implicit = _split_resource(word)
            if not script:
                raise HaConfigError(
                    "HARES_BAD_RESOURCE", filename, lineno, word, "empty resource script name"
                )
            kind, path = resolve_script(script, ha_d, init_d)
            resources.append(Resource(word, script, args, implicit, kind, path))
        key = resources[0].spec
        if key in keys:
            raise HaConfigError(
                "HARES_DUPLICATE_KEY",
                filename,
                lineno,
                key,
                f"group key already used on line {keys[key]} "
                "(the first resource of each line must be unique)",
            )
        keys[key] = lineno
        groups.append(ResourceGroup(node, tuple(resources), lineno, hint))
    return HaResources(filename, tuple(groups), tuple(directives), tuple(warnings))
