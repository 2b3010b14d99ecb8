"""URL parsing and the local base URL built from Listen."""

from __future__ import annotations

import pytest

from ocf.httpd.urls import join, listen_base, parse_url
from ocf.rc import RC, OCFError


@pytest.mark.parametrize(
    ("text", "scheme", "host", "port", "path", "userinfo"),
    [
        ("http://localhost/server-status?auto", "http", "localhost", 80, "/server-status?auto", ""),
        ("HTTPS://10.0.0.1:8443", "https", "10.0.0.1", 8443, "/", ""),
        ("http://[::1]:8080/x#frag", "http", "::1", 8080, "/x", ""),
        ("http://u:p@host?q=1", "http", "host", 80, "/?q=1", "u:p"),
    ],
)
def test_parse_url(text: str, scheme: str, host: str, port: int, path: str, userinfo: str) -> None:
    url = parse_url(text)
    assert (url.scheme, url.host, url.port, url.path, url.userinfo) == (
        scheme,
        host,
        port,
        path,
        userinfo,
    )


@pytest.mark.parametrize(
    "text", ["ftp://x/", "localhost/x", "http://", "http://h:99999/", "http://[::1"]
)
def test_parse_url_rejects(text: str) -> None:
    with pytest.raises(OCFError) as err:
        parse_url(text, "statusurl")
    assert err.value.rc == RC.ERR_CONFIGURED
    assert "statusurl" in err.value.reason


def test_str_and_netloc() -> None:
    assert str(parse_url("http://[fd00::1]:80/a")) == "http://[fd00::1]/a"
    assert str(parse_url("https://h:444/")) == "https://h:444/"


@pytest.mark.parametrize(
    ("listen", "port_param", "port_directive", "expected"),
    [
        ([], None, None, "http://localhost/"),
        ([], None, "8000", "http://localhost:8000/"),
        ([["8089"]], None, None, "http://localhost:8089/"),
        ([["127.0.0.1:8089"], ["9000"]], None, None, "http://127.0.0.1:8089/"),
        ([["*:8089"]], None, None, "http://localhost:8089/"),
        ([["0.0.0.0:81"]], None, None, "http://localhost:81/"),
        ([["[::]:81"]], None, None, "http://[::1]:81/"),
        ([["[fd00::5]:81"]], None, None, "http://[fd00::5]:81/"),
        ([["443", "https"]], None, None, "https://localhost/"),
        ([["10.1.1.1:80"]], 8080, None, "http://10.1.1.1:8080/"),
    ],
)
def test_listen_base(
    listen: list[list[str]], port_param: int | None, port_directive: str | None, expected: str
) -> None:
    assert str(listen_base(listen, port_param, port_directive)) == expected


def test_join() -> None:
    base = listen_base([["127.0.0.1:8089"]], None, None)
    assert str(join(base, "/server-status?auto")) == "http://127.0.0.1:8089/server-status?auto"
    assert str(join(base, "index.html")) == "http://127.0.0.1:8089/index.html"
    assert str(join(base, "")) == "http://127.0.0.1:8089/"
