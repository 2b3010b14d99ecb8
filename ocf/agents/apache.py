"""ocf:pycrm:apache: drop-in for resource-agents 4.12 ocf:heartbeat:apache.

Same parameters (names, types, defaults) and actions. What differs, on purpose:

- the monitor checks that the pid file's process really is this httpd
  (/proc exe + command line), then GETs the status page itself over a raw
  socket with a deadline and requires HTTP 200 plus a mod_status body (or
  `testregex`); a 404 page, a recycled PID or another server never pass;
- no sleeping: a stopped server is reported at once (the shell agent
  retries for 5 s on every non-probe monitor);
- start runs `httpd -t` first and fails fast with httpd's own first error
  line, notices an httpd that dies right after launch, and gives up with a
  reason before the operation timeout instead of being killed by it;
- stop signals only processes that are verifiably this instance (on a
  pidfd), never a process that merely inherited a stale PID;
- envfiles are parsed, not sourced (see ocf.httpd.envfiles for the subset);
- redirects are not followed (the shell agent's clients used -L);
- `port` overrides the Listen port (the shell agent ignored it then);
- `testname` selects the testconffile block (the shell agent always took
  the first); `client`, and `client`/`client_opts` in a testconffile, are
  accepted and ignored;
- under pycrm's executor (PYCRM_MAIN_PID_PREFIX set), a successful start or
  monitor prints `ocf-main-pid:<httpd parent pid>` on stderr, so that the
  daemon watches that process and monitors at once when it exits.

Not done: the shell agent's `a2enmod status` on Debian/SUSE default
configurations (it edits /etc/apache2; without a server-status location the
monitor falls back to "the index page answers", as the shell agent does),
SUSE's `-C "LoadModule status_module ..."`, and the IBM HTTP Server
special case (`$0` containing "IBM").
"""

from __future__ import annotations

import os

from ocf.agent import Agent
from ocf.httpd.instance import Instance, default_config, find_httpd
from ocf.httpd.urls import is_absolute, parse_url
from ocf.metadata import ActionSpec
from ocf.params import Param
from ocf.rc import RC, OCFError

TYPE_CHECKING = False  # keep `typing` (~10 ms) off the monitor path
if TYPE_CHECKING:
    from typing import ClassVar

    from ocf.httpd.check import CheckResult, Probe
    from ocf.httpd.lifecycle import Lifecycle

_SHELL_DEFAULT_REGEX = "</ *html *>"
_REGEX_PARAMS = ("testregex", "testregex10")

LONGDESC = """\
Manages an Apache httpd instance; a drop-in replacement for resource-agents'
ocf:heartbeat:apache with the same parameters.

start runs a configtest (httpd -t with the same -f, options and environment)
and fails at once with httpd's first error line; it then launches
"httpd -DSTATUS <options> -f <configfile>" and waits for the monitor to
pass, giving up with the last failure reason before the operation timeout.

monitor (depth 0) checks that the process named by the pid file is this
httpd (its executable and its command line with this configfile) and GETs
the status page with a deadline: the answer must be HTTP 200 and a mod_status
page, or match testregex. Without statusurl the status page is the
<Location> handled by "SetHandler server-status" in the configuration, on
the first Listen address (with ?auto unless testregex is set). The client
binds to 127.0.0.1 (::1 for IPv6), so restrict the status page to local
clients. Depth 10 checks testurl/testregex10 or a testconffile block
instead.

stop sends SIGWINCH (graceful-stop) and waits up to half the remaining time,
then SIGTERM, then SIGTERM/SIGKILL to leftover processes of this instance
only; a stale pid file never leads to signalling an unrelated process.

Regular expressions are Python's, case-insensitive and multi-line; POSIX
bracket classes such as [[:digit:]] are translated. envfiles are parsed, not
executed by a shell: NAME=value, export, unset, quoting, $VAR/${VAR} and
". file" are understood; conditionals and command substitutions are not."""


def _p(name: str, short: str, long: str, **kw: object) -> Param:
    return Param(name=name, shortdesc=short, longdesc=long, **kw)  # type: ignore[arg-type]


PARAMS = (
    _p(
        "configfile",
        "configuration file path",
        "The full pathname of the Apache configuration file. It is read for the pid file,"
        " Listen address and server-status location. If unset, the first of"
        " /etc/apache2/httpd.conf, /etc/apache2/apache2.conf, /etc/httpd/conf/httpd.conf"
        " that exists is used.",
        default="/etc/apache2/apache2.conf",
        unique=True,
    ),
    _p(
        "httpd",
        "httpd binary path",
        "The full pathname of the httpd binary. If it is not executable, the first"
        " executable of /sbin/httpd2, /usr/sbin/httpd2, /usr/sbin/apache2, /sbin/httpd,"
        " /usr/sbin/httpd, /usr/sbin/apache is used.",
        default="/usr/sbin/httpd",
    ),
    _p(
        "port",
        "httpd port",
        "The port to probe for status information. Defaults to the port of the first"
        " Listen directive, else the Port directive, else 80. When set, it overrides the"
        " configured port (the shell agent ignored it whenever Listen was present).",
        type="integer",
    ),
    _p(
        "statusurl",
        "url name",
        "The URL to monitor (the server-status page by default). If unset, it is the"
        " location handled by 'SetHandler server-status' in the configuration on the first"
        " Listen address (with ?auto unless testregex is set). A relative value is taken"
        " relative to that address."
        " Make sure it answers only to local clients.",
    ),
    _p(
        "testregex",
        "monitor regular expression",
        "Regular expression the statusurl answer must match (case-insensitive). If unset,"
        " the answer must be a mod_status page (Total Accesses:/BusyWorkers:/"
        "ServerVersion:). The shell agent's default '</ *html *>' is not used: every error"
        " page matches it.",
    ),
    _p(
        "client",
        "http client",
        "Client to query Apache with (wget or curl) in the shell agent. This agent speaks"
        " HTTP itself.",
        default="",
        supported=False,
    ),
    _p(
        "testurl",
        "test url",
        "URL to test at OCF_CHECK_LEVEL=10. If it does not start with http, it is relative"
        " to the Listen address.",
    ),
    _p(
        "testregex10",
        "extended monitor regular expression",
        "Regular expression the testurl answer must match at OCF_CHECK_LEVEL=10"
        " (case-insensitive).",
    ),
    _p(
        "testconffile",
        "test configuration file",
        "A file with 'test <name>' ... 'end' blocks (url, match, user, password; client and"
        " client_opts are accepted and ignored) for OCF_CHECK_LEVEL=10; user/password are"
        " sent as HTTP basic authentication.",
    ),
    _p(
        "testname",
        "test name",
        "Name of the test block in testconffile to use (default: the first block).",
    ),
    _p(
        "options",
        "command line options",
        "Extra options to apply when starting apache (and to its configtest). See"
        " httpd(8). Split on whitespace; quotes group words.",
    ),
    _p(
        "envfiles",
        "environment settings files",
        "Files (one or more) with extra environment variables for httpd and for"
        " ${VAR} in the configuration. Parsed, not sourced: see the agent description."
        " Set to an empty string to read none.",
        default="/etc/apache2/envvars",
    ),
    _p(
        "use_ipv6",
        "use ipv6 with http clients",
        "Use IPv6 (bind the client to ::1, resolve localhost to ::1). IPv6 literals in"
        " URLs are detected without it.",
        type="boolean",
        default="false",
    ),
)

ACTIONS = (
    ActionSpec("start", "40s"),
    ActionSpec("stop", "60s"),
    ActionSpec("status", "30s"),
    ActionSpec("monitor", "20s", interval="10s", depth="0"),
    ActionSpec("meta-data", "5s"),
    ActionSpec("validate-all", "5s"),
)

_POSIX_CLASSES = {
    "[:alpha:]": "a-zA-Z",
    "[:digit:]": "0-9",
    "[:alnum:]": "a-zA-Z0-9",
    "[:upper:]": "A-Z",
    "[:lower:]": "a-z",
    "[:space:]": r"\s",
    "[:blank:]": r" \t",
    "[:xdigit:]": "0-9A-Fa-f",
    "[:punct:]": r"!-/:-@\[-`{-~",
}


def python_regex(regex: str) -> str:
    """grep -E's POSIX bracket classes in Python syntax (the rest is compatible enough)."""
    for posix, python in _POSIX_CLASSES.items():
        regex = regex.replace(posix, python)
    return regex


class ApacheAgent(Agent):
    name = "apache"
    version = "1.0"
    shortdesc = "Manages an Apache Web server instance"
    longdesc = LONGDESC
    params = PARAMS
    actions = ACTIONS
    check_levels: ClassVar[tuple[int, ...]] = (0, 10)

    # ------------------------------------------------------------- helpers
    def check_config(self) -> None:
        if self.p.given("port") and self.p.opt("port") is not None:
            port = self.p.integer("port")
            if not 0 < port < 65536:
                raise OCFError(RC.ERR_CONFIGURED, f"parameter port={port} is out of range")
        self.p.flag("use_ipv6")
        for name in ("statusurl", "testurl"):
            value = self.p.opt(name)
            if value is not None and is_absolute(value):
                parse_url(value, f"parameter {name}")
        for name in _REGEX_PARAMS:
            regex = self.p.opt(name)
            if regex is not None:
                import re

                try:
                    re.compile(python_regex(regex))
                except re.error as exc:
                    raise OCFError(
                        RC.ERR_CONFIGURED, f"parameter {name}={regex!r} is not a regex: {exc}"
                    ) from None

    def _port(self) -> int | None:
        return self.p.integer("port") if self.p.opt("port") is not None else None

    def _httpd(self) -> str | None:
        httpd, substituted = find_httpd(self.p.get("httpd"))
        if substituted and self.p.given("httpd"):
            self.log.info(f"httpd {self.p.get('httpd')} is not executable; using {httpd}")
        return httpd

    def _configfile(self) -> str:
        given = self.p.opt("configfile")
        return given if given is not None and self.p.given("configfile") else default_config()

    def _instance(self, httpd: str) -> Instance:
        return Instance(
            httpd=httpd,
            configfile=self._configfile(),
            options=self.p.get("options"),
            envfiles=self.p.get("envfiles"),
            resource=self.env.instance,
            environ=self.env.environ,
        )

    def _require_instance(self) -> Instance:
        """For start/validate: binary and configuration must be present."""
        httpd = self._httpd()
        if httpd is None:
            raise OCFError(RC.ERR_INSTALLED, "apache httpd program not found")
        configfile = self._configfile()
        if not os.path.isfile(configfile):
            raise OCFError(RC.ERR_INSTALLED, f"Configuration file {configfile} not found!")
        inst = self._instance(httpd)
        if inst.conf_error is not None:
            raise OCFError(RC.ERR_CONFIGURED, inst.conf_error)
        for note in inst.env_notes:
            self.log.debug(f"envfiles: {note}")
        return inst

    # ----------------------------------------------------------- the checks
    def _nothing_configured(self) -> bool:
        names = ("statusurl", "testregex", "testregex10", "testurl", "testconffile")
        return all(self.p.opt(name) is None for name in names)

    def _status_probe(self, inst: Instance) -> Probe:
        from ocf.httpd.check import Probe

        port = self._port()
        user_regex = self.p.opt("testregex")
        regex = python_regex(user_regex) if user_regex is not None else None
        statusurl = self.p.opt("statusurl")
        if statusurl is not None:
            return Probe(inst.url(statusurl, port, "statusurl"), regex)
        location = inst.status_location()
        if location is not None:
            # Our own check reads the small machine-readable page; a user regex
            # gets the page the shell agent fetched (it may expect the HTML).
            path = location if regex is not None or "?" in location else location + "?auto"
            return Probe(inst.url(path, port, "status location"), regex)
        if self._nothing_configured():
            # The shell agent's fallback (PR #300): the index page answers HTTP.
            return Probe(inst.base_url(port), None, any_answer=True)
        return Probe(inst.base_url(port), regex or _SHELL_DEFAULT_REGEX)

    def _depth10_probe(self, inst: Instance) -> Probe:
        from ocf.httpd.check import Probe

        port = self._port()
        testconf = self.p.opt("testconffile")
        if testconf is not None and os.path.isfile(testconf) and os.access(testconf, os.R_OK):
            from ocf.httpd.testconf import read_testconf

            test = read_testconf(testconf, self.p.opt("testname"))
            for key in test.ignored:
                self.log.debug(f"testconffile: {key} is ignored by this agent")
            userinfo = f"{test.user}:{test.password}" if test.user else ""
            url = inst.url(test.url, port, f"testconffile {testconf} url")
            return Probe(url, python_regex(test.regex), userinfo=userinfo)
        testurl, regex = self.p.opt("testurl"), self.p.opt("testregex10")
        if testurl is None or regex is None or not testurl.strip():
            raise OCFError(
                RC.ERR_CONFIGURED,
                "OCF_CHECK_LEVEL=10 needs testurl and testregex10 (or a testconffile)",
            )
        return Probe(inst.url(testurl, port, "testurl"), python_regex(regex))

    def _check(self, inst: Instance, level: int, deadline: float) -> CheckResult:
        from ocf.httpd.check import run_probe

        probe = self._depth10_probe(inst) if level >= 10 else self._status_probe(inst)
        return run_probe(probe, deadline, ipv6=self.p.flag("use_ipv6"))

    # --------------------------------------------------------------- monitor
    def monitor(self) -> RC | None:
        httpd = self._httpd()
        if httpd is None:
            return self._not_running("no httpd binary is installed")
        inst = self._instance(httpd)
        pid, members = inst.locate()
        if pid is None and members:
            raise OCFError(
                RC.ERR_GENERIC,
                f"httpd processes {members} run without their main process"
                f" (pid file {inst.pidfile})",
            )
        if pid is None:
            stale = inst.stale_pidfile_pid()
            if stale is not None:
                return self._not_running(
                    f"pid file {inst.pidfile} names PID {stale}, which is not this httpd"
                )
            return self._not_running()
        if inst.conf_error is not None and self.p.opt("statusurl") is None:
            raise OCFError(RC.ERR_INSTALLED, inst.conf_error)
        result = self._check(inst, self.check_level, self.env.deadline)
        if result.rc != RC.SUCCESS:
            raise OCFError(result.rc, f"httpd (pid {pid}) fails its check: {result.reason}")
        self.env.announce_main_pid(pid)
        return RC.SUCCESS

    def _not_running(self, why: str = "") -> RC:
        self.log.debug(f"apache is not running{': ' + why if why else ''}")
        return RC.NOT_RUNNING

    # ------------------------------------------------------ start/stop/validate
    def _lifecycle(self, inst: Instance) -> Lifecycle:
        from ocf.httpd.lifecycle import Lifecycle

        return Lifecycle(inst, self.env, self.log, self._check)

    def start(self) -> RC | None:
        pid = self._lifecycle(self._require_instance()).start()
        self.env.announce_main_pid(pid)
        return RC.SUCCESS

    def stop(self) -> RC | None:
        httpd = self._httpd()
        if httpd is None:
            self.log.info("no httpd binary is installed: nothing can be running")
            return RC.SUCCESS
        self._lifecycle(self._instance(httpd)).stop()
        return RC.SUCCESS

    def validate_all(self) -> RC | None:
        inst = self._require_instance()
        testconf = self.p.opt("testconffile")
        if testconf is not None:
            if not (os.path.isfile(testconf) and os.access(testconf, os.R_OK)):
                raise OCFError(
                    RC.ERR_INSTALLED, f"Configuration file {testconf} not found, or not readable."
                )
        elif self.p.given("testurl") and not self.p.get("testurl").strip():
            raise OCFError(RC.ERR_CONFIGURED, "parameter testurl is an empty string")
        for note in (*inst.env_notes, *(inst.conf.notes if inst.conf else ())):
            self.log.warning(note)
        lifecycle = self._lifecycle(inst)
        lifecycle.configtest(self.env.remaining())
        if self.p.opt("statusurl") is None and inst.status_location() is None:
            self.log.warning(
                f"{inst.configfile} maps no location to 'SetHandler server-status' and"
                " statusurl is unset: the monitor can only check that httpd answers"
            )
        lifecycle.prepare_pid_dir()
        return RC.SUCCESS


AGENT = ApacheAgent
