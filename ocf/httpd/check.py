"""What a passing HTTP check is.

Depth 0 (status page):
- URL: `statusurl`, else the config's server-status <Location> on the local
  base URL, with `?auto` appended (machine-readable and small) unless
  `testregex` is set (the shell agent fetched the HTML page);
- the answer must be HTTP 200 (redirects are not followed);
- the body must match `testregex` (case-insensitive, multi-line, like
  `grep -Ei`) when set; otherwise it must be a mod_status page
  (`Total Accesses:`, `BusyWorkers:`, `ServerVersion:`; or the HTML page's
  `Server Version:`), so a 404 page or an unrelated server never passes.
- With nothing configured at all (no statusurl, testregex, testurl,
  testregex10, testconffile) and no server-status handler in the config,
  the shell agent falls back to "the index page answers HTTP"; so do we,
  but a 5xx answer fails.

Depth 10: `testconffile` (the `testname` block, or the first) or
`testurl` + `testregex10`; HTTP 200 and the regex must match.
"""

from __future__ import annotations

from ocf.httpd.client import FetchError, Response, fetch
from ocf.httpd.urls import Url
from ocf.rc import RC

STATUS_MARKERS = ("Total Accesses:", "BusyWorkers:", "ServerVersion:", "Server Version:")
_SHOWN_BODY = 60


class CheckResult:
    """rc + a one-line reason; `retry` marks failures a starting server may outgrow."""

    __slots__ = ("rc", "reason", "retry")

    def __init__(self, rc: RC, reason: str = "", *, retry: bool = False) -> None:
        self.rc = rc
        self.reason = reason
        self.retry = retry


class Probe:
    """One URL and what its answer must look like."""

    __slots__ = ("any_answer", "regex", "url", "userinfo")

    def __init__(
        self, url: Url, regex: str | None, *, any_answer: bool = False, userinfo: str = ""
    ) -> None:
        self.url = url
        self.regex = regex  # None: require a mod_status body
        self.any_answer = any_answer
        self.userinfo = userinfo


def is_status_page(body: str) -> bool:
    return any(marker in body for marker in STATUS_MARKERS)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:_SHOWN_BODY] + ("..." if len(flat) > _SHOWN_BODY else "")


def regex_matches(regex: str, body: str) -> bool:
    import re

    return re.search(regex, body, re.IGNORECASE | re.MULTILINE) is not None


def judge(probe: Probe, response: Response) -> CheckResult:
    url = probe.url
    if probe.any_answer:
        if response.status >= 500:
            return CheckResult(
                RC.ERR_GENERIC, f"GET {url} returned HTTP {response.status} {response.reason}"
            )
        return CheckResult(RC.SUCCESS)
    if response.status != 200:
        hint = " (redirects are not followed)" if 300 <= response.status < 400 else ""
        return CheckResult(
            RC.ERR_GENERIC,
            f"GET {url} returned HTTP {response.status} {response.reason}{hint}",
            retry=response.status == 503,
        )
    body = response.text()
    if probe.regex is None:
        if is_status_page(body):
            return CheckResult(RC.SUCCESS)
        return CheckResult(
            RC.ERR_GENERIC,
            f"GET {url} is not a mod_status page (body starts {_excerpt(body)!r});"
            " set testregex to check another page",
        )
    if regex_matches(probe.regex, body):
        return CheckResult(RC.SUCCESS)
    return CheckResult(
        RC.ERR_GENERIC,
        f"GET {url}: body does not match {probe.regex!r} (starts {_excerpt(body)!r})",
    )


def run_probe(probe: Probe, deadline: float, *, ipv6: bool) -> CheckResult:
    try:
        response = fetch(probe.url, deadline, ipv6=ipv6, userinfo=probe.userinfo)
    except FetchError as exc:
        return CheckResult(
            RC.ERR_GENERIC, str(exc), retry=exc.kind in ("refused", "reset", "protocol")
        )
    return judge(probe, response)
