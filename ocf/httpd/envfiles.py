"""Shell-style environment files (like /etc/apache2/envvars), read without a shell.

The shell agent sources these files. Running a shell from an agent means
running arbitrary code as root on every monitor, so we parse the subset
real envvars files use instead:

- `NAME=value` and `export NAME=value` (several assignments on one line too),
  `export NAME` (no-op), `unset NAME...`;
- values unquoted, 'single quoted' (literal) or "double quoted", with
  `$NAME` / `${NAME}` expansion outside single quotes and backslash escapes;
- `. file` / `source file` (nested up to a small depth);
- comments and blank lines.

Anything else (if/case/for blocks, functions, `$(...)`, backticks, `${X##p}`
and other parameter operators, commands such as `ulimit`) is skipped, with
a note returned to the caller. Assignments inside a skipped conditional
block are skipped too, because the condition cannot be evaluated. In
Debian's envvars that leaves SUFFIX unset, which is what the default
/etc/apache2 instance gets.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # collections.abc costs start-up time; only mypy needs it
if TYPE_CHECKING:
    from collections.abc import Mapping

_BLOCK_OPEN = {"if": "fi", "case": "esac", "for": "done", "while": "done", "until": "done"}
_MAX_DEPTH = 4


class Unsupported(ValueError):
    """A construct outside the supported subset."""


def _is_name(text: str) -> bool:
    return (
        bool(text)
        and (text[0].isalpha() or text[0] == "_")
        and all(c.isalnum() or c == "_" for c in text)
    )


def _expand_var(text: str, i: int, env: Mapping[str, str]) -> tuple[str, int]:
    """Expand the `$...` starting at text[i] (text[i] == '$'); return value, next index."""
    if i + 1 < len(text) and text[i + 1] == "{":
        end = text.find("}", i + 2)
        if end < 0:
            raise Unsupported("unterminated ${")
        name = text[i + 2 : end]
        if not _is_name(name):
            raise Unsupported(f"unsupported expansion ${{{name}}}")
        return env.get(name, ""), end + 1
    j = i + 1
    while j < len(text) and (text[j].isalnum() or text[j] == "_"):
        j += 1
    if j == i + 1:
        if j < len(text) and text[j] in "(`":
            raise Unsupported("command substitution")
        return "$", j
    if text[i + 1].isdigit():
        raise Unsupported("positional parameter")
    return env.get(text[i + 1 : j], ""), j


def split_words(line: str, env: Mapping[str, str]) -> list[str]:
    """Split one line into words, applying quotes and variable expansion."""
    words: list[str] = []
    cur: list[str] = []
    in_word = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t":
            if in_word:
                words.append("".join(cur))
                cur, in_word = [], False
            i += 1
        elif c == "#" and not in_word:
            break
        elif c == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise Unsupported("unterminated single quote")
            cur.append(line[i + 1 : end])
            in_word, i = True, end + 1
        elif c == '"':
            i += 1
            while True:
                if i >= n:
                    raise Unsupported("unterminated double quote")
                d = line[i]
                if d == '"':
                    i += 1
                    break
                if d == "\\" and i + 1 < n and line[i + 1] in '$`"\\':
                    cur.append(line[i + 1])
                    i += 2
                elif d == "$":
                    value, i = _expand_var(line, i, env)
                    cur.append(value)
                elif d == "`":
                    raise Unsupported("command substitution")
                else:
                    cur.append(d)
                    i += 1
            in_word = True
        elif c == "\\" and i + 1 < n:
            cur.append(line[i + 1])
            in_word, i = True, i + 2
        elif c == "$":
            value, i = _expand_var(line, i, env)
            cur.append(value)
            in_word = True
        elif c in "`;&|<>()":
            raise Unsupported(f"shell syntax {c!r}")
        else:
            cur.append(c)
            in_word, i = True, i + 1
    if in_word:
        words.append("".join(cur))
    return words


def _raw_assignment(token: str) -> bool:
    name, eq, _ = token.partition("=")
    return bool(eq) and _is_name(name)


class EnvFileReader:
    """Applies env files to a copy of a base environment."""

    def __init__(self, base: Mapping[str, str]) -> None:
        self._base = base
        self._copy: dict[str, str] | None = None  # made on the first change
        self.changed: dict[str, str | None] = {}
        self.notes: list[str] = []

    @property
    def env(self) -> Mapping[str, str]:
        """The base environment with the files applied."""
        return self._base if self._copy is None else self._copy

    def _writable(self) -> dict[str, str]:
        if self._copy is None:
            self._copy = dict(self._base)
        return self._copy

    def read(self, path: str, depth: int = 0) -> None:
        """Apply one file; a missing or unreadable file is ignored like `[ -r f ] && . f`."""
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return
        block: list[str] = []
        for lineno, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            first = line.split(None, 1)[0].rstrip(";")
            if first in _BLOCK_OPEN:
                block.append(_BLOCK_OPEN[first])
                self.notes.append(f"{path}:{lineno}: '{first}' block not evaluated")
                continue
            if block:
                if first == block[-1]:
                    block.pop()
                continue
            try:
                self._line(line, path, depth)
            except Unsupported as exc:
                self.notes.append(f"{path}:{lineno}: skipped ({exc})")

    def _set(self, name: str, value: str) -> None:
        self._writable()[name] = value
        self.changed[name] = value

    def _line(self, line: str, path: str, depth: int) -> None:
        words = split_words(line, self.env)
        if not words:
            return
        head = words[0]
        if head in (".", "source"):
            if len(words) != 2:
                raise Unsupported("'.' needs exactly one file")
            if depth >= _MAX_DEPTH:
                raise Unsupported("files nested too deeply")
            target = words[1]
            if not target.startswith("/"):
                target = os.path.join(os.path.dirname(path), target)
            self.read(target, depth + 1)
            return
        if head == "unset":
            for name in words[1:]:
                if _is_name(name):
                    self._writable().pop(name, None)
                    self.changed[name] = None
            return
        if head == "export":
            words = words[1:]
        # Assignments are recognised on the raw text (a quoted "A=b" is a command).
        raw_tokens = line.split()
        if raw_tokens and raw_tokens[0] == "export":
            raw_tokens = raw_tokens[1:]
        if not raw_tokens or not _raw_assignment(raw_tokens[0]):
            if head == "export" and all(_is_name(w) for w in words):
                return  # `export NAME`: already in our environment
            raise Unsupported(f"command {head!r}")
        pairs = [word.partition("=") for word in words]
        for name, eq, _ in pairs:
            if not eq or not _is_name(name):
                raise Unsupported(f"not an assignment: {name}{eq}...")
        for name, _, value in pairs:
            self._set(name, value)


def read_envfiles(paths: str, base: Mapping[str, str]) -> EnvFileReader:
    """Apply the whitespace-separated `envfiles` list to `base`, in order."""
    reader = EnvFileReader(base)
    for path in paths.split():
        reader.read(path)
    return reader
