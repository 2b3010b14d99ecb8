"""resource-agents' `testconffile` format for the depth-10 monitor.

    test <name>
        url <url>
        match <regex>
        user <user>          (optional, with password)
        password <password>
        client <client>      (accepted, ignored: we have our own client)
        client_opts <opts>   (accepted, ignored)
    end

The shell agent always uses the first test block (its `testname` never
reaches the reader); we use the block named by `testname`, or the first.
"""

from __future__ import annotations

from ocf.rc import RC, OCFError

_KEYS = ("url", "match", "user", "password", "client", "client_opts")


class HttpTest:
    __slots__ = ("ignored", "name", "password", "regex", "url", "user")

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = ""
        self.regex = ""
        self.user = ""
        self.password = ""
        self.ignored: list[str] = []


def read_testconf(path: str, name: str | None) -> HttpTest:
    """The named (or first) test; OCFError(ERR_CONFIGURED) naming file and line."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise OCFError(RC.ERR_INSTALLED, f"testconffile {path}: {exc.strerror}") from None
    spec: HttpTest | None = None
    for number, raw in enumerate(lines, 1):
        key, _, value = raw.strip().partition(" ")
        value = value.strip()
        if spec is None:
            if key == "test" and (not name or value == name):
                spec = HttpTest(value)
            continue
        if key == "end":
            break
        if not key or key.startswith("#"):
            continue
        if key not in _KEYS:
            raise OCFError(RC.ERR_CONFIGURED, f"{path}:{number}: unknown keyword {key!r}")
        if key == "url":
            spec.url = value
        elif key == "match":
            spec.regex = value
        elif key == "user":
            spec.user = value
        elif key == "password":
            spec.password = value
        else:
            spec.ignored.append(key)
    if spec is None:
        which = f"test {name!r}" if name else "any test block"
        raise OCFError(RC.ERR_CONFIGURED, f"testconffile {path} has no {which}")
    if not spec.url or not spec.regex:
        raise OCFError(RC.ERR_CONFIGURED, f"testconffile {path}: test needs url and match")
    if bool(spec.user) != bool(spec.password):
        raise OCFError(RC.ERR_CONFIGURED, f"testconffile {path}: user and password go together")
    return spec
