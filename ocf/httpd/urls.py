"""URLs the monitor fetches: parsing (no urllib) and the local base URL.

Like the shell agent, every check goes to this host: a relative testurl
and the discovered server-status location are appended to the first
Listen address (or localhost:<port>).
"""

from __future__ import annotations

from ocf.rc import RC, OCFError

_WILDCARD_V4 = ("", "*", "0.0.0.0")  # noqa: S104  (Listen wildcards, mapped to loopback)
_WILDCARD_V6 = ("::", "[::]")


class Url:
    """An http(s) URL split into what a raw client needs."""

    __slots__ = ("host", "path", "port", "scheme", "userinfo")

    def __init__(self, scheme: str, host: str, port: int, path: str, userinfo: str = "") -> None:
        self.scheme = scheme
        self.host = host  # without brackets for IPv6
        self.port = port
        self.path = path or "/"
        self.userinfo = userinfo

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}"


def is_absolute(text: str) -> bool:
    """An absolute URL (any scheme), as opposed to a path on the local server."""
    text = text.strip().lower()
    return text.startswith("http") or "://" in text


def parse_url(text: str, what: str = "URL") -> Url:
    """Parse http://[user:pass@]host[:port]/path?query; OCFError(ERR_CONFIGURED) if not."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        raise OCFError(RC.ERR_CONFIGURED, f"{what} {text!r} is not an http:// or https:// URL")
    cut = len(rest)
    for ch in "/?#":
        pos = rest.find(ch)
        if 0 <= pos < cut:
            cut = pos
    authority, path = rest[:cut], rest[cut:]
    if "#" in path:
        path = path.split("#", 1)[0]
    if path.startswith("?"):
        path = "/" + path
    userinfo, _, hostport = authority.rpartition("@")
    port_text = ""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise OCFError(RC.ERR_CONFIGURED, f"{what} {text!r}: unterminated [IPv6] host")
        host = hostport[1:end]
        after = hostport[end + 1 :]
        if after:
            if not after.startswith(":"):
                raise OCFError(RC.ERR_CONFIGURED, f"{what} {text!r}: bad host")
            port_text = after[1:]
    else:
        host, _, port_text = hostport.partition(":")
    if not host:
        raise OCFError(RC.ERR_CONFIGURED, f"{what} {text!r} has no host")
    port = 443 if scheme == "https" else 80
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise OCFError(RC.ERR_CONFIGURED, f"{what} {text!r}: bad port {port_text!r}")
        port = int(port_text)
    return Url(scheme, host, port, path, userinfo)


def listen_base(listen: list[list[str]], port_param: int | None, port_directive: str | None) -> Url:
    """The local base URL: first Listen (wildcards mapped to loopback), else localhost.

    An explicit `port` parameter wins over the configured port (the shell
    agent ignores it whenever a Listen directive exists, although its
    documentation says it is the port to probe).
    """
    scheme, host, port = "http", "localhost", 80
    if listen:
        args = listen[0]
        addr = args[0]
        if len(args) > 1 and args[1].lower() == "https":
            scheme = "https"
        if addr.startswith("["):
            end = addr.find("]")
            host = addr[1:end] if end > 0 else addr
            port_text = addr[end + 2 :] if end > 0 else ""
        elif addr.count(":") == 1:
            host, _, port_text = addr.partition(":")
        elif ":" in addr:  # bare IPv6 address without port: not valid for Listen
            host, port_text = addr, ""
        else:
            host, port_text = "", addr
        if host in _WILDCARD_V4:
            host = "localhost"
        elif host in _WILDCARD_V6:
            host = "::1"
        if port_text.isdigit():
            port = int(port_text)
    elif port_directive is not None and port_directive.isdigit() and int(port_directive) > 0:
        port = int(port_directive)
    if port_param is not None:
        port = port_param
    return Url(scheme, host, port, "/")


def join(base: Url, path: str) -> Url:
    """`path` relative to the base URL (the shell agent's string concatenation)."""
    if path and not path.startswith(("/", "?")):
        path = "/" + path
    return Url(base.scheme, base.host, base.port, path or "/", base.userinfo)
