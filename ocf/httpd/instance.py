"""One apache resource: parameters resolved the way the shell agent resolves them.

Everything here is cheap (file reads only): the monitor builds an Instance
on every call, as the shell agent re-parses its configuration every time.
"""

from __future__ import annotations

import os

from ocf.httpd.conf import ApacheConfig, ConfigError, read_config, split_args
from ocf.httpd.procs import Identity, option_values, read_pid
from ocf.httpd.urls import Url, is_absolute, join, listen_base, parse_url

TYPE_CHECKING = False  # collections.abc costs start-up time; only mypy needs it
if TYPE_CHECKING:
    from collections.abc import Mapping

# The shell agent's search list when `httpd` is unset or not executable.
HTTPD_CANDIDATES = (
    "/sbin/httpd2",
    "/usr/sbin/httpd2",
    "/usr/sbin/apache2",
    "/sbin/httpd",
    "/usr/sbin/httpd",
    "/usr/sbin/apache",
    "/opt/IBMHTTPServer/bin/httpd",
)
# resource-agents' detect_default_config order (SUSE, Debian, RHEL).
DEFAULT_CONFIGS = ("/etc/apache2/httpd.conf", "/etc/apache2/apache2.conf")
RHEL_CONFIG = "/etc/httpd/conf/httpd.conf"
# Compiled-in ServerRoot (HTTPD_ROOT) of the common builds, by binary name.
_DEFAULT_ROOTS = {"apache2": "/etc/apache2", "httpd": "/etc/httpd", "httpd2": "/srv/www"}
# Both the real -D the agent passes and the one configs test for.
START_DEFINES = ("STATUS",)


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_httpd(param: str) -> tuple[str | None, bool]:
    """(binary, substituted): the parameter if executable, else the first candidate."""
    if param and _executable(param):
        return param, False
    for candidate in HTTPD_CANDIDATES:
        if _executable(candidate):
            return candidate, bool(param)
    return None, False


def default_config() -> str:
    for path in DEFAULT_CONFIGS:
        if os.path.isfile(path):
            return path
    return RHEL_CONFIG


def httpd_basename(httpd: str) -> str:
    """The shell agent's name for pid files: basename without any '-suffix'."""
    return os.path.basename(httpd).split("-", 1)[0]


class Instance:
    """Resolved binary, configuration facts, pid file, identity and URLs."""

    def __init__(
        self,
        *,
        httpd: str,
        configfile: str,
        options: str,
        envfiles: str,
        resource: str,
        environ: Mapping[str, str],
    ) -> None:
        self.httpd = httpd
        self.configfile = configfile
        self.options = split_args(options)
        self.env: Mapping[str, str] = environ
        self.env_notes: list[str] = []
        if any(os.path.isfile(path) for path in envfiles.split()):
            from ocf.httpd.envfiles import read_envfiles  # only when there is a file

            envs = read_envfiles(envfiles, environ)
            self.env, self.env_notes = envs.env, envs.notes
        self.defines = set(START_DEFINES) | set(option_values(self.options, "-D"))
        roots = option_values(self.options, "-d")
        self.root = roots[-1] if roots else self._default_root()
        self.conf: ApacheConfig | None = None
        self.conf_error: str | None = None
        try:
            self.conf, self.root = read_config(
                configfile, env=self.env, root=self.root, defines=self.defines
            )
        except ConfigError as exc:
            self.conf_error = str(exc)
        configured = self.conf.pidfile_path(self.root) if self.conf is not None else None
        self.pid_directive: str | None = None
        if configured is None:
            varrun = environ.get("HA_VARRUN", "/var/run").rstrip("/") or "/"
            self.pidfile = f"{varrun}/{httpd_basename(httpd)}-{resource}.pid"
            self.pid_directive = f"PidFile {self.pidfile}"
        else:
            self.pidfile = configured
        # An unreadable config cannot tell whether httpd got -c "PidFile": don't insist.
        directive = self.pid_directive if self.conf is not None else None
        self.identity = Identity(httpd, configfile, self.root, directive, self.pidfile)

    def _default_root(self) -> str:
        return _DEFAULT_ROOTS.get(
            httpd_basename(self.httpd), os.path.dirname(os.path.abspath(self.configfile))
        )

    # ------------------------------------------------------------- processes
    def locate(self) -> tuple[int | None, list[int]]:
        """(main PID or None, every instance process found by a scan).

        The pid file's process counts only if it really is this instance;
        otherwise (missing, stale, or mid-rewrite) /proc is scanned for a
        daemonized main process. The scan's result is returned so callers
        can tell "stopped" from "workers left without their main".
        """
        pid = read_pid(self.pidfile)
        if pid is not None and self.identity.alive(pid):
            return pid, []
        members = self.identity.scan()
        mains = self.identity.mains(members)
        return (mains[0] if mains else None), members

    def main_pid(self) -> int | None:
        return self.locate()[0]

    def stale_pidfile_pid(self) -> int | None:
        """The pid file's PID when it does not belong to this instance."""
        pid = read_pid(self.pidfile)
        if pid is None or self.identity.alive(pid):
            return None
        return pid

    # ------------------------------------------------------------------ argv
    def httpd_argv(self, *extra: str) -> list[str]:
        """`httpd [extra] -DSTATUS <options> -f <config> [-c "PidFile ..."]`."""
        argv = [self.httpd, *extra, "-DSTATUS", *self.options, "-f", self.configfile]
        if self.pid_directive is not None:
            argv += ["-c", self.pid_directive]
        return argv

    # ------------------------------------------------------------------ urls
    def base_url(self, port_param: int | None) -> Url:
        listen = self.conf.listen if self.conf is not None else []
        port = self.conf.port if self.conf is not None else None
        return listen_base(listen, port_param, port)

    def status_location(self) -> str | None:
        """The last <Location> handled by server-status (the shell agent's choice)."""
        if self.conf is None or not self.conf.status_locations:
            return None
        return self.conf.status_locations[-1]

    def url(self, text: str, port_param: int | None, what: str) -> Url:
        """An absolute URL, or one relative to the local base URL."""
        if is_absolute(text):
            return parse_url(text, what)
        return join(self.base_url(port_param), text.strip())

    def error_log(self) -> str | None:
        """The main server's error log file, if it is a plain file."""
        name = "logs/error_log"
        if self.conf is not None and self.conf.error_log is not None:
            name = self.conf.error_log
        if name.startswith("|") or name.startswith("syslog"):
            return None
        return name if name.startswith("/") else os.path.join(self.root, name)
