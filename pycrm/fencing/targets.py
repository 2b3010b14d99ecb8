"""Host lists and host maps, parsed exactly as Pacemaker 2.1.5's fencer parses them.

* :func:`parse_targets` -- ``pcmk_host_list`` and the output of an agent's ``list`` action
  (``stonith__parse_targets``): lines (a newline or a literal backslash-n ends one), entries
  separated by any mix of whitespace, commas and semicolons; a line containing ``invalid``
  or ``variable`` is skipped whole (an agent complaining about a parameter); an entry is
  cut at its first character outside ``[a-zA-Z0-9_.-]`` (an entry starting with one is
  dropped); entries ``on`` / ``off`` (any case) are dropped (status words);
* :func:`parse_host_map` -- ``pcmk_host_map`` (``build_port_aliases``): ``name=value`` or
  ``name:value`` pairs separated by ``;``, spaces or tabs; a backslash escapes the next
  character (it is removed from the value).  ``node1:plug1;node2:plug2``.
* :func:`parse_delay_map` -- ``pcmk_delay_base`` (a single time, or ``node:time`` pairs).
"""

from __future__ import annotations

import re

_ENTRY = re.compile(r"[a-zA-Z0-9_.-]+")
_SEPARATORS = re.compile(r"[\s,;]+")
_LINES = re.compile(r"\n|\\n")


def parse_targets(spec: str | None) -> list[str]:
    out: list[str] = []
    if not spec:
        return out
    for line in _LINES.split(spec):
        if "invalid" in line or "variable" in line:
            continue
        for field in _SEPARATORS.split(line):
            if not field:
                continue
            match = _ENTRY.match(field)
            if match is None:
                continue
            entry = match.group(0)
            if entry.lower() in ("on", "off"):
                continue
            out.append(entry)
    return out


def parse_host_map(spec: str | None) -> dict[str, str]:
    """Node name -> plug (keys keep their case; look them up with :func:`lookup`)."""
    aliases: dict[str, str] = {}
    if not spec:
        return aliases
    name: str | None = None
    last = 0
    i = 0
    n = len(spec)
    while i <= n:
        ch = spec[i] if i < n else "\0"
        if ch == "\\":
            i += 2
            continue
        if ch in "=:":
            if i > last:
                name = spec[last:i]
            last = i + 1
        elif ch in "\0; \t":
            if name is not None:
                value = spec[last:i].replace("\\", "")
                aliases[name] = value
                name = None
            last = i + 1
        i += 1
    return aliases


def lookup(mapping: dict[str, str], key: str) -> str | None:
    """Case-insensitive lookup (Pacemaker's host maps and lists ignore case)."""
    if key in mapping:
        return mapping[key]
    low = key.lower()
    for name, value in mapping.items():
        if name.lower() == low:
            return value
    return None


def contains(names: list[str], key: str) -> bool:
    low = key.lower()
    return any(name.lower() == low for name in names)


def parse_delay_map(spec: str | None, target: str | None) -> str | None:
    """The ``pcmk_delay_base`` text that applies to ``target``: the value mapped to it
    (``node1:2s;node2:5s``, separators ``;``, space, tab; the node name is a
    case-insensitive prefix match, as Pacemaker compares only the mapped name's length),
    the whole value when it is no map, None when it is a map without ``target``."""
    if spec is None:
        return None
    value = spec
    if target is not None:
        for item in re.split(r"[; \t]+", spec):
            if not item:
                continue
            key, colon, mapped = item.partition(":")
            if not colon or not mapped:
                continue  # "pcmk_delay_base: empty value in mapping"
            if key and target[: len(key)].lower() == key.lower():
                value = mapped
                break
    return None if ":" in value else value
