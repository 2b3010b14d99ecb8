"""Line numbers of TOML keys and tables, for errors tomllib cannot place.

tomllib reports the line of a *syntax* error, but a document that parses can
still be wrong (an unknown key, a string where a list belongs), and the parsed
dicts carry no positions. `locate` scans the text once and records where each
table header and each key starts:

    [cluster]            -> ("cluster",)
    name = "web"         -> ("cluster", "name")
    [[link]]             -> ("link", 0), the next [[link]] is ("link", 1)
    peers = [...]        -> ("link", 0, "peers")
    a.b = 1              -> (..., "a") and (..., "a", "b")

The scanner relies on tomllib having accepted the document first: it only
needs to tell keys from values (strings, multi-line strings and arrays are
skipped), not to check the grammar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class Locations:
    """Where each table and key of a TOML document begins (1-based lines)."""

    def __init__(self, lines: Mapping[KeyPath, int]) -> None:
        self._lines = dict(lines)

    def line(self, path: KeyPath) -> int:
        """The line of `path`, else of its closest recorded parent, else 0."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return 0

    def exact(self, path: KeyPath) -> int | None:
        """The line of `path` itself, None when it does not appear in the text."""
        return self._lines.get(path)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path -> instances so far
        self.table: KeyPath = ()

    # -- characters ------------------------------------------------------
    def peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.text[at] if at < len(self.text) else ""

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.pos < len(self.text):
                if self.text[self.pos] == "\n":
                    self.line += 1
                self.pos += 1

    def skip_blanks(self) -> None:
        while self.peek() in (" ", "\t"):
            self.advance()

    def skip_to_eol(self) -> None:
        while self.peek() not in ("", "\n"):
            self.advance()

    # -- strings and values ----------------------------------------------
    def read_string(self) -> str:
        """A basic or literal string (single- or multi-line); returns its raw body."""
        quote = self.peek()
        if self.peek(1) == quote and self.peek(2) == quote:
            self.advance(3)
            start = self.pos
            while self.peek() != "":
                if quote == '"' and self.peek() == "\\":
                    self.advance(2)
                    continue
                if self.text.startswith(quote * 3, self.pos):
                    body = self.text[start : self.pos]
                    self.advance(3)
                    while self.peek() == quote:  # up to two quotes may close the body
                        self.advance()
                    return body
                self.advance()
            return self.text[start:]
        self.advance()
        start = self.pos
        while self.peek() not in ("", "\n", quote):
            if quote == '"' and self.peek() == "\\":
                self.advance()
            self.advance()
        body = self.text[start : self.pos]
        self.advance()
        return body

    def skip_value(self) -> None:
        """Skip one value, including arrays and inline tables over several lines."""
        depth = 0
        while True:
            ch = self.peek()
            if ch == "":
                return
            if ch in ('"', "'"):
                self.read_string()
                continue
            if ch == "#":
                self.skip_to_eol()
                continue
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
            elif ch == "\n" and depth <= 0:
                return
            self.advance()

    # -- keys --------------------------------------------------------------
    def read_key(self) -> list[str]:
        """A dotted key: bare or quoted parts separated by dots."""
        parts: list[str] = []
        while True:
            self.skip_blanks()
            ch = self.peek()
            if ch in ('"', "'"):
                raw = self.read_string()
                parts.append(_unquote(raw) if ch == '"' else raw)
            else:
                start = self.pos
                while self.peek() in _BARE and self.peek() != "":
                    self.advance()
                parts.append(self.text[start : self.pos])
            self.skip_blanks()
            if self.peek() != ".":
                return parts
            self.advance()

    def record(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line)

    def resolve(self, parts: list[str]) -> KeyPath:
        """Absolute path of a header's parent parts (arrays -> their last instance)."""
        cur: KeyPath = ()
        for part in parts:
            cur = (*cur, part)
            count = self.arrays.get(cur)
            if count:
                cur = (*cur, count - 1)
        return cur

    def header(self) -> None:
        double = self.peek(1) == "["
        self.advance(2 if double else 1)
        parts = self.read_key()
        parent = self.resolve(parts[:-1])
        path: KeyPath = (*parent, parts[-1])
        if double:
            index = self.arrays.get(path, 0)
            self.arrays[path] = index + 1
            self.record(path)
            path = (*path, index)
        self.table = path
        self.record(path)
        self.skip_to_eol()

    def key_value(self) -> None:
        parts = self.read_key()
        for end in range(1, len(parts) + 1):
            self.record((*self.table, *parts[:end]))
        if self.peek() == "=":
            self.advance()
        self.skip_blanks()
        self.skip_value()

    def run(self) -> dict[KeyPath, int]:
        while self.peek() != "":
            self.skip_blanks()
            ch = self.peek()
            if ch in ("\n", "\r"):
                self.advance()
            elif ch == "#":
                self.skip_to_eol()
            elif ch == "[":
                self.header()
            elif ch == "":
                break
            else:
                self.key_value()
        return self.lines


def _unquote(raw: str) -> str:
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


def locate(text: str) -> Locations:
    """Scan a TOML document that tomllib accepted (see the module docstring)."""
    return Locations(_Scanner(text).run())
