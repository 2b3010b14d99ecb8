"""The few facts the agent needs from an httpd configuration, read without httpd.

Like the shell agent's `apachecat`, this walks the configuration with its
Include/IncludeOptional files and picks out ServerRoot, PidFile,
Listen, Port, ErrorLog and the <Location> handled by
`SetHandler server-status`. Unlike it, it also:

- expands `${VAR}` from `Define`s and the environment (Debian's
  `PidFile ${APACHE_PID_FILE}`), as httpd does;
- evaluates `<IfDefine [!]NAME>` against `-D` options, `Define` and STATUS
  (the agent starts httpd with -DSTATUS);
- honours line continuations and quoted arguments;
- includes directories recursively and globs in sorted order, like httpd,
  guarding against include loops.

`<IfModule>` sections are read as if the module were loaded (as the shell
agent does): the first PidFile and Listen win, as they do there.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # collections.abc costs start-up time; only mypy needs it
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

_MAX_INCLUDE_DEPTH = 32
_MAX_FILES = 2000


class ConfigError(Exception):
    """The configuration could not be read at all (message names the file)."""


class ApacheConfig:
    """Facts from one configuration file and everything it includes."""

    __slots__ = (
        "error_log",
        "files",
        "listen",
        "notes",
        "pidfile",
        "port",
        "server_root",
        "status_locations",
    )

    def __init__(self) -> None:
        self.server_root: str | None = None
        self.pidfile: str | None = None
        self.listen: list[list[str]] = []  # arguments of each Listen, in order
        self.port: str | None = None
        self.error_log: str | None = None
        self.status_locations: list[str] = []
        self.files: list[str] = []
        self.notes: list[str] = []

    def relative(self, path: str, root: str) -> str:
        return path if path.startswith("/") else os.path.join(root, path)

    def pidfile_path(self, root: str) -> str | None:
        """Absolute pid file path; a relative one is under ServerRoot (httpd 2.4.71, verified)."""
        if self.pidfile is None:
            return None
        return self.relative(self.pidfile, root)


def split_args(text: str) -> list[str]:
    """httpd's argument splitting: whitespace, with "double" or 'single' quotes."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c in "\"'":
            end = i + 1
            buf = []
            while end < n and text[end] != c:
                if text[end] == "\\" and end + 1 < n and text[end + 1] == c:
                    end += 1
                buf.append(text[end])
                end += 1
            out.append("".join(buf))
            i = end + 1
        else:
            end = i
            while end < n and text[end] not in " \t":
                end += 1
            out.append(text[i:end])
            i = end
    return out


def _expand(text: str, defines: Mapping[str, str], env: Mapping[str, str]) -> str:
    if "${" not in text:
        return text
    out = []
    i = 0
    while True:
        start = text.find("${", i)
        end = text.find("}", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(text[i:])
            return "".join(out)
        name = text[start + 2 : end]
        value = defines.get(name, env.get(name))
        out.append(text[i:start])
        out.append(value if value is not None else text[start : end + 1])
        i = end + 1


def _logical_lines(path: str) -> Iterator[tuple[int, str]]:
    """(line number, text) with continuations joined and comments dropped."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    pending = ""
    start = 0
    for number, line in enumerate(raw.splitlines(), 1):
        stripped = line.strip()
        if stripped.endswith("\\"):
            if not pending:
                start = number
            pending += stripped[:-1] + " "
            continue
        first = number
        if pending:
            stripped = pending + stripped
            pending = ""
            first = start
        if stripped and not stripped.startswith("#"):
            yield first, stripped


class _Reader:
    def __init__(self, env: Mapping[str, str], defines: set[str], root: str) -> None:
        self.env = env
        self.defines: dict[str, str] = {name: "" for name in defines}
        self.conf = ApacheConfig()
        self.root = root
        self.active: set[str] = set()
        self.skip_depth = 0  # >0 while inside a false <IfDefine>
        self.sections: list[tuple[str, str]] = []  # (tag lower, first argument)

    # ------------------------------------------------------------ includes
    def include(self, spec: str, optional: bool, where: str, depth: int) -> None:
        if depth > _MAX_INCLUDE_DEPTH:
            raise ConfigError(f"{where}: Include nested more than {_MAX_INCLUDE_DEPTH} deep")
        path = spec if spec.startswith("/") else os.path.join(self.root, spec)
        if any(ch in path for ch in "*?["):
            import glob

            matches = sorted(glob.glob(path))
            directory = os.path.dirname(path)
            # httpd accepts a wildcard file name that matches nothing.
            if (
                not matches
                and not optional
                and not any(ch in directory for ch in "*?[")
                and not os.path.isdir(directory)
            ):
                self.conf.notes.append(f"{where}: Include {spec}: no such directory")
            for match in matches:
                self._include_path(match, where, depth)
            return
        if not os.path.exists(path):
            if not optional:
                self.conf.notes.append(f"{where}: Include {spec}: no such file or directory")
            return
        self._include_path(path, where, depth)

    def _include_path(self, path: str, where: str, depth: int) -> None:
        if depth > _MAX_INCLUDE_DEPTH:
            raise ConfigError(f"{where}: Include nested more than {_MAX_INCLUDE_DEPTH} deep")
        if os.path.isdir(path):
            try:
                names = sorted(os.listdir(path))
            except OSError:
                self.conf.notes.append(f"{where}: cannot list {path}")
                return
            for name in names:
                self._include_path(os.path.join(path, name), where, depth + 1)
            return
        if not os.path.isfile(path):  # a FIFO or device would block or never end
            self.conf.notes.append(f"{where}: {path} is not a regular file; skipped")
            return
        self.read(path, depth + 1)

    # -------------------------------------------------------------- reading
    def read(self, path: str, depth: int = 0) -> None:
        real = os.path.realpath(path)
        if real in self.active:
            raise ConfigError(f"{path}: includes itself (include loop)")
        if len(self.conf.files) >= _MAX_FILES:
            raise ConfigError(f"{path}: more than {_MAX_FILES} configuration files")
        self.conf.files.append(path)
        self.active.add(real)
        try:
            for number, line in _logical_lines(path):
                self.line(line, f"{path}:{number}", depth)
        finally:
            self.active.discard(real)

    def line(self, line: str, where: str, depth: int) -> None:
        if line.startswith("</"):
            self.close_section()
            return
        if line.startswith("<"):
            body = line[1:].rstrip()
            if body.endswith(">"):
                body = body[:-1]
            tag, _, rest = body.partition(" ")
            args = split_args(_expand(rest, self.defines, self.env))
            self.open_section(tag.lower(), args)
            return
        if self.skip_depth:
            return
        word, _, rest = line.partition(" ")
        if "\t" in word:
            word, _, tail = word.partition("\t")
            rest = tail + " " + rest
        self.directive(
            word.lower(), split_args(_expand(rest, self.defines, self.env)), where, depth
        )

    def open_section(self, tag: str, args: list[str]) -> None:
        if self.skip_depth:
            self.skip_depth += 1
            return
        if tag == "ifdefine":
            name = args[0] if args else ""
            negate = name.startswith("!")
            defined = name.lstrip("!") in self.defines
            if defined == negate:
                self.skip_depth = 1
                return
        self.sections.append((tag, args[0] if args else ""))

    def close_section(self) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if self.sections:
            self.sections.pop()

    def directive(self, name: str, args: list[str], where: str, depth: int) -> None:
        conf = self.conf
        first = args[0] if args else ""
        if name in ("include", "includeoptional"):
            for spec in args:
                self.include(spec, name == "includeoptional", where, depth)
        elif name == "define" and args:
            self.defines[first] = args[1] if len(args) > 1 else ""
        elif name == "undefine" and args:
            self.defines.pop(first, None)
        elif name == "serverroot" and args:
            # Applies from here on, like httpd (and wins over -d).
            conf.server_root = first.rstrip("/") or "/"
            self.root = conf.server_root
        elif name == "pidfile" and args and conf.pidfile is None:
            conf.pidfile = first
        elif name == "listen" and args:
            conf.listen.append(args)
        elif name == "port" and args and conf.port is None:
            conf.port = first
        elif name == "errorlog" and args and conf.error_log is None and not self._in_vhost():
            conf.error_log = first
        elif name == "sethandler" and first.lower() == "server-status":
            location = self._location()
            if location is not None:
                conf.status_locations.append(location)

    def _in_vhost(self) -> bool:
        return any(tag == "virtualhost" for tag, _ in self.sections)

    def _location(self) -> str | None:
        for tag, arg in reversed(self.sections):
            if tag == "location":
                return arg
        return None


def read_config(
    path: str,
    *,
    env: Mapping[str, str],
    root: str,
    defines: set[str] | None = None,
) -> tuple[ApacheConfig, str]:
    """Read `path`; return the facts and the effective ServerRoot.

    `root` is the ServerRoot before the configuration sets one: httpd's -d
    option, else the binary's compiled-in default. A relative `path` is
    taken relative to it, as httpd does for -f.
    """
    reader = _Reader(env, set(defines or ()), root)
    reader.read(path if path.startswith("/") else os.path.join(root, path))
    return reader.conf, reader.root
