"""Which processes are this httpd instance, decided from /proc only.

A pid file is a hint, never proof: after a crash the PID may belong to
anything. A process is this instance only when

- /proc/<pid>/exe is the configured httpd binary (symlinks resolved; an
  upgraded, deleted binary still counts), and
- its command line names this configuration with -f (or has no -f and
  the configuration is the binary's compiled-in default), and
- when the agent supplies the PidFile on the command line (the config has
  none), that same `-c "PidFile ..."` is present: two resources sharing a
  configuration file stay apart, and
- it sees the same files at the configuration's path and the pid file's
  directory as the agent: paths name the same files only within one view of
  the file system, so an httpd built from the same paths in a container or
  another sandbox with its own /run, or on another node of a lab whose nodes
  share one host (its configuration on a shared disk mounted there, not
  here), is never taken for, or stopped as, ours (`ip netns exec` copies the
  mount namespace, not the files: a process started through it still counts).

Worker children are forked, not exec'd, so they carry the same exe and
command line and are recognised by the same rule.
"""

from __future__ import annotations

import os

# Compiled-in configuration files of common builds: a process started
# without -f uses these.
_DEFAULT_CONFIGS = {
    "apache2": ("/etc/apache2/apache2.conf",),
    "httpd": ("/etc/httpd/conf/httpd.conf", "/etc/apache2/httpd.conf"),
    "httpd2": ("/etc/apache2/httpd.conf",),
}


def exe_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)")
    except OSError:
        return None


def file_id(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def cmdline_of(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            raw = fh.read()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def stat_of(pid: int) -> tuple[int, int] | None:
    """(parent PID, session id) from /proc/<pid>/stat; None if gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()
    if len(fields) < 4 or fields[0] in (b"Z", b"X"):
        return None
    return int(fields[1]), int(fields[3])


def read_pid(path: str) -> int | None:
    try:
        with open(path, "rb") as fh:
            text = fh.read(32).strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and int(text) > 1 else None


def option_values(args: list[str], flag: str) -> list[str]:
    """Every value of a single-letter option in `args`, as `-f x` or `-fx`."""
    values = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == flag and i + 1 < len(args):
            values.append(args[i + 1])
            i += 2
            continue
        if arg.startswith(flag) and len(arg) > len(flag):
            values.append(arg[len(flag) :])
        i += 1
    return values


class Identity:
    """The recognisable marks of one instance: binary, config, pid-file directive."""

    __slots__ = (
        "_wrapper_dir",
        "_wrapper_prefix",
        "binary",
        "config",
        "config_id",
        "config_real",
        "pid_dir",
        "pid_dir_id",
        "pid_directive",
        "root",
    )

    def __init__(
        self,
        httpd: str,
        config: str,
        root: str,
        pid_directive: str | None,
        pidfile: str | None = None,
    ) -> None:
        self.binary = os.path.realpath(httpd)
        self.config = config
        self.config_real = os.path.realpath(config)
        self.config_id = file_id(self.config_real)
        self.root = root
        self.pid_directive = pid_directive
        # Where the pid file lives, and which directory that is in our view. The
        # path is resolved here: an absolute symlink met under /proc/<pid>/root
        # (/var/run -> /run) would lead back into our own view.
        self.pid_dir: str | None = None
        self.pid_dir_id: tuple[int, int] | None = None
        if pidfile and pidfile.startswith("/"):
            self.pid_dir = os.path.realpath(os.path.dirname(pidfile))
            self.pid_dir_id = file_id(self.pid_dir)
        # A shell wrapper (#!) execs the real binary next to it (SUSE httpd ->
        # httpd-prefork): accept a sibling whose name starts with the wrapper's.
        self._wrapper_dir: str | None = None
        self._wrapper_prefix = ""
        try:
            with open(self.binary, "rb") as fh:
                if fh.read(2) == b"#!":
                    self._wrapper_dir = os.path.dirname(self.binary)
                    self._wrapper_prefix = os.path.basename(self.binary)
        except OSError:
            pass

    def binary_matches(self, exe: str | None) -> bool:
        if exe is None:
            return False
        if exe == self.binary:
            return True
        return (
            self._wrapper_dir is not None
            and os.path.dirname(exe) == self._wrapper_dir
            and os.path.basename(exe).startswith(self._wrapper_prefix)
        )

    def _config_matches(self, argv: list[str]) -> bool:
        configs = option_values(argv[1:], "-f")
        if not configs:
            name = os.path.basename(self.binary).split("-", 1)[0]
            defaults = _DEFAULT_CONFIGS.get(name, ())
            return any(os.path.realpath(d) == self.config_real for d in defaults)
        value = configs[-1]
        if value == self.config:
            return True
        path = value if value.startswith("/") else os.path.join(self.root, value)
        return os.path.realpath(path) == self.config_real

    def argv_matches(self, argv: list[str]) -> bool:
        if not argv or not self._config_matches(argv):
            return False
        if self.pid_directive is None:
            return True
        return self.pid_directive in option_values(argv[1:], "-c")

    def same_view(self, pid: int) -> bool:
        """Whether `pid` sees our configuration file and pid-file directory there (not its
        own /run, say).

        When we cannot see one at all (it is on a shared disk mounted in another node's
        mount namespace), a process that does see it lives elsewhere: not ours.
        """
        if self.config_id is None:  # (both sides unable to see it is no proof of anything)
            return False
        if file_id(f"/proc/{pid}/root{self.config_real}") != self.config_id:
            return False
        if self.pid_dir is None:
            return True  # no pid file to compare with: the other marks decide
        return file_id(f"/proc/{pid}/root{self.pid_dir}") == self.pid_dir_id

    def matches(self, pid: int) -> bool:
        return (
            self.binary_matches(exe_of(pid))
            and self.argv_matches(cmdline_of(pid))
            and self.same_view(pid)
        )

    def scan(self) -> list[int]:
        """Every live process of this instance (main and workers), sorted."""
        found = []
        me = os.getpid()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            if pid != me and self.matches(pid):
                found.append(pid)
        return sorted(found)

    def mains(self, pids: list[int]) -> list[int]:
        """Daemonized main processes among `pids`: session leaders without an instance parent.

        httpd's main process calls setsid() when it detaches; its workers
        share its session. Workers orphaned by a killed main, and the
        short-lived launcher, are not session leaders, so they never pass
        for a main process.
        """
        members = set(pids)
        mains = []
        for pid in pids:
            stat = stat_of(pid)
            if stat is not None and stat[1] == pid and stat[0] not in members:
                mains.append(pid)
        return mains

    def alive(self, pid: int) -> bool:
        """`pid` still runs as this instance (not gone, not a zombie, not reused)."""
        return stat_of(pid) is not None and self.matches(pid)
