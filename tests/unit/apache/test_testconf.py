"""The resource-agents testconffile format."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocf.httpd.testconf import read_testconf
from ocf.rc import RC, OCFError

CONF = """\
# comment before
test first
    url /a
    match A+
end
test second
    url http://localhost/b
    match B
    user u
    password p
    client curl
    client_opts -k
end
"""


def test_named_and_first_block(tmp_path: Path) -> None:
    path = tmp_path / "t.conf"
    path.write_text(CONF)
    first = read_testconf(str(path), None)
    assert (first.name, first.url, first.regex, first.user) == ("first", "/a", "A+", "")
    second = read_testconf(str(path), "second")
    assert (second.url, second.regex, second.user, second.password) == (
        "http://localhost/b",
        "B",
        "u",
        "p",
    )
    assert second.ignored == ["client", "client_opts"]


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        (CONF, "third", "has no test 'third'"),
        ("test x\n  url /a\nend\n", None, "needs url and match"),
        ("test x\n  url /a\n  match a\n  user u\nend\n", None, "user and password"),
        ("test x\n  bogus 1\nend\n", None, ":2: unknown keyword 'bogus'"),
    ],
)
def test_errors(tmp_path: Path, text: str, name: str | None, message: str) -> None:
    path = tmp_path / "t.conf"
    path.write_text(text)
    with pytest.raises(OCFError) as err:
        read_testconf(str(path), name)
    assert err.value.rc == RC.ERR_CONFIGURED
    assert message in err.value.reason


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OCFError) as err:
        read_testconf(str(tmp_path / "none"), None)
    assert err.value.rc == RC.ERR_INSTALLED
