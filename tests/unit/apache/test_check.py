"""What passes a check: status 200 plus a mod_status body or the user's regex."""

from __future__ import annotations

from ocf.agents.apache import AGENT, python_regex
from ocf.httpd.check import Probe, judge
from ocf.httpd.client import Response
from ocf.httpd.urls import parse_url
from ocf.rc import RC

URL = parse_url("http://127.0.0.1:8089/server-status?auto")
AUTO = b"127.0.0.1\nServerVersion: Apache/2.4.71 (Debian)\nTotal Accesses: 3\nBusyWorkers: 1\n"
ERROR_PAGE = b"<html><head><title>404 Not Found</title></head><body>gone</body></html>\n"


def test_status_page_required_by_default() -> None:
    assert judge(Probe(URL, None), Response(200, "OK", AUTO)).rc == RC.SUCCESS
    html = Response(200, "OK", b"<html><dt>Server Version: Apache/2.4</dt></html>")
    assert judge(Probe(URL, None), html).rc == RC.SUCCESS
    other = judge(Probe(URL, None), Response(200, "OK", b"<html>hello</html>"))
    assert other.rc == RC.ERR_GENERIC
    assert "not a mod_status page" in other.reason


def test_error_status_fails_even_if_the_body_matches() -> None:
    result = judge(Probe(URL, "</ *html *>"), Response(404, "Not Found", ERROR_PAGE))
    assert result.rc == RC.ERR_GENERIC
    assert "HTTP 404 Not Found" in result.reason
    assert not result.retry
    busy = judge(Probe(URL, None), Response(503, "Service Unavailable", b""))
    assert busy.retry
    moved = judge(Probe(URL, None), Response(301, "Moved Permanently", b""))
    assert "redirects are not followed" in moved.reason


def test_user_regex_is_case_insensitive_and_multiline() -> None:
    assert judge(Probe(URL, "^busyworkers: [0-9]+$"), Response(200, "OK", AUTO)).rc == RC.SUCCESS
    miss = judge(Probe(URL, "IdleWorkers"), Response(200, "OK", AUTO))
    assert miss.rc == RC.ERR_GENERIC
    assert "does not match 'IdleWorkers'" in miss.reason


def test_any_answer_fallback() -> None:
    probe = Probe(URL, None, any_answer=True)
    assert judge(probe, Response(403, "Forbidden", b"")).rc == RC.SUCCESS
    assert judge(probe, Response(500, "Internal Server Error", b"")).rc == RC.ERR_GENERIC


def test_posix_classes_are_translated() -> None:
    assert python_regex("[[:digit:]]+ [[:alpha:]]") == "[0-9]+ [a-zA-Z]"
    probe = Probe(URL, python_regex("Total Accesses: [[:digit:]]+"))
    assert judge(probe, Response(200, "OK", AUTO)).rc == RC.SUCCESS


def test_metadata_parameters_and_defaults() -> None:
    params = {p.name: p for p in AGENT.params}
    assert set(params) == {
        *("configfile", "httpd", "port", "statusurl", "testregex", "client", "testurl"),
        *("testregex10", "testconffile", "testname", "options", "envfiles", "use_ipv6"),
    }
    assert params["envfiles"].default == "/etc/apache2/envvars"
    assert params["httpd"].default == "/usr/sbin/httpd"
    assert params["use_ipv6"].type == "boolean"
    assert params["port"].type == "integer"
    assert not params["client"].supported
    assert params["configfile"].unique
