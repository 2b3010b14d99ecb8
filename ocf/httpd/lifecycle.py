"""Start and stop of one httpd instance, within the operation's deadline.

start: configtest first (fast, httpd's own first error line), launch, then
poll until the depth-0 check passes. It fails fast when the launcher exits
non-zero, when the detached server disappears, or when the check fails in
a way waiting cannot fix (a 404, a body mismatch); otherwise it gives up
with the last failure reason while enough time is left to stop what it
launched.

stop: SIGWINCH (graceful-stop) to the verified main process and up to half
the remaining time, then SIGTERM; then SIGTERM and SIGKILL to whatever
processes of this instance are left (orphaned workers included). Every
signal goes through a pidfd after an identity check, so a PID inherited
by an unrelated process is never signalled.
"""

from __future__ import annotations

import os
import signal
import time

from ocf.httpd import control
from ocf.rc import RC, OCFError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ocf.env import OcfEnv
    from ocf.httpd.check import CheckResult
    from ocf.httpd.instance import Instance
    from ocf.log import AgentLog

    Checker = Callable[[Instance, int, float], CheckResult]

_POLL = 0.1
_CHECK_TIMEOUT = 5.0  # one GET while starting
_MISSING_POLLS = 3  # "no process" this many polls in a row after the launcher exited


class Lifecycle:
    def __init__(self, inst: Instance, env: OcfEnv, log: AgentLog, check: Checker) -> None:
        self.inst = inst
        self.env = env
        self.log = log
        self.check = check

    # ----------------------------------------------------------------- start
    def start(self) -> int:
        """Start httpd (or find it running); returns its main PID."""
        inst = self.inst
        pid, members = inst.locate()
        if pid is not None:
            self.log.info(f"apache already running (pid {pid})")
            return pid
        if members:
            self.log.warning(f"httpd processes {members} run without a main process; stopping them")
            self.stop()
        self.remove_stale_pidfile()
        self.prepare_pid_dir()
        self.configtest(self.env.remaining() / 2)
        tail = control.LogTail(inst.error_log())
        launch = control.Launch(inst.httpd_argv(), inst.env)
        try:
            return self._wait_started(launch, tail)
        except OCFError:
            # Like the shell agent: do not leave a half-started server behind.
            try:
                self.stop()
            except OCFError as exc:
                self.log.error(f"clean-up after the failed start: {exc.reason}")
            raise
        finally:
            launch.close()

    def configtest(self, timeout: float) -> None:
        inst = self.inst
        error = control.configtest(inst.httpd_argv("-t"), inst.env, timeout=max(0.5, timeout))
        if error is not None:
            raise OCFError(RC.ERR_CONFIGURED, f"configtest of {inst.configfile} failed: {error}")

    def _wait_started(self, launch: control.Launch, tail: control.LogTail) -> int:
        inst = self.inst
        # Keep time to stop what we launched if it never becomes healthy.
        give_up = self.env.deadline - min(10.0, self.env.remaining() / 4)
        missing = 0
        hard_failures = 0
        last = "no answer yet"
        while True:
            status = launch.poll()
            if status not in (None, 0):
                reason = control.first_error(launch.output()) or tail.first_error()
                raise OCFError(
                    RC.ERR_GENERIC,
                    f"httpd failed to start (exit status {status}): {reason or 'no message'}",
                )
            pid = inst.main_pid()
            if pid is None:
                # The launcher exits only after forking the server: no server
                # now means it died (e.g. it could not write its pid file).
                missing = missing + 1 if status == 0 else 0
                if missing >= _MISSING_POLLS:
                    reason = tail.first_error() or "no httpd process is left"
                    raise OCFError(RC.ERR_GENERIC, f"httpd exited right after start: {reason}")
            else:
                missing = 0
                result = self.check(inst, 0, min(give_up, time.monotonic() + _CHECK_TIMEOUT))
                if result.rc == RC.SUCCESS:
                    self.log.info(f"apache started (pid {pid})")
                    return pid
                if result.rc == RC.ERR_CONFIGURED:
                    raise OCFError(result.rc, result.reason)
                last = result.reason
                hard_failures = 0 if result.retry else hard_failures + 1
                if hard_failures >= 2:
                    raise OCFError(RC.ERR_GENERIC, f"httpd started but fails its check: {last}")
            if time.monotonic() + _POLL >= give_up:
                waited = time.monotonic() - self.env.started
                raise OCFError(
                    RC.ERR_GENERIC, f"httpd did not pass its monitor within {waited:.0f}s: {last}"
                )
            time.sleep(_POLL)

    def remove_stale_pidfile(self) -> None:
        inst = self.inst
        stale = inst.stale_pidfile_pid()
        if stale is None:
            return
        # httpd itself refuses to start while its pid file names a live process.
        self.log.warning(
            f"pid file {inst.pidfile} names PID {stale}, which is not this httpd; removing it"
        )
        try:
            os.unlink(inst.pidfile)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OCFError(
                RC.ERR_GENERIC, f"cannot remove stale pid file {inst.pidfile}: {exc.strerror}"
            ) from None

    def prepare_pid_dir(self) -> None:
        """Create the directory of the agent-chosen pid file (ocf_mkstatedir)."""
        inst = self.inst
        if inst.pid_directive is None:
            return
        directory = os.path.dirname(inst.pidfile)
        try:
            os.makedirs(directory, mode=0o755, exist_ok=True)
        except OSError as exc:
            raise OCFError(RC.ERR_INSTALLED, f"cannot create {directory}: {exc.strerror}") from None

    # ------------------------------------------------------------------ stop
    def stop(self) -> None:
        inst = self.inst
        ident = inst.identity
        stale = inst.stale_pidfile_pid()
        if stale is not None:
            self.log.warning(
                f"pid file {inst.pidfile} names PID {stale}, which is not this httpd;"
                " it will not be signalled"
            )
        pid = inst.main_pid()
        if pid is not None:
            half = time.monotonic() + self.env.remaining() / 2
            self.log.info(f"attempting graceful stop of apache PID {pid}")
            control.signal_instance(ident, pid, signal.SIGWINCH)
            if control.wait_gone(ident, [pid], half):
                self.log.warning(f"graceful stop of PID {pid} did not finish; sending SIGTERM")
                control.signal_instance(ident, pid, signal.SIGTERM)
                control.wait_gone(ident, [pid], time.monotonic() + self.env.remaining() / 2)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            leftovers = ident.scan()
            if not leftovers:
                break
            self.log.info(f"sending {sig.name} to httpd processes {leftovers}")
            for other in leftovers:
                control.signal_instance(ident, other, sig)
            budget = self.env.remaining()
            wait = min(2.0, budget / 2) if sig == signal.SIGTERM else budget
            control.wait_gone(ident, leftovers, time.monotonic() + wait)
        leftovers = ident.scan()
        if leftovers:
            raise OCFError(RC.ERR_GENERIC, f"httpd processes {leftovers} survive SIGKILL")
        if os.path.lexists(inst.pidfile):
            try:
                os.unlink(inst.pidfile)
            except OSError as exc:
                self.log.warning(f"cannot remove pid file {inst.pidfile}: {exc.strerror}")
        self.log.info("apache stopped")
