"""One running agent process: spawn, pidfd, non-blocking output pipes, kill (the I/O shell).

The process gets its own session (so its own process group), ``/dev/null`` as stdin (or
the invocation's ``stdin`` bytes: a fence agent's ``key=value`` lines, from an anonymous
memory file, so that writing them can never block the loop), pipes for stdout and stderr,
the invocation's environment only, and the work directory as cwd.
Its exit is watched with a pidfd.  When the pidfd says the process is gone, whatever is
still buffered in the pipes is read and the pipes are closed at once: a daemon the agent
started may keep them open forever, as Pacemaker's executor also assumes.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
from collections.abc import Callable

from pycrm.daemon.executor.classes import Invocation
from pycrm.daemon.executor.outcome import ProcessEnd
from pycrm.daemon.executor.streams import LineScanner, Tail

READ_CHUNK = 65_536


class _PipeReader:
    """Selector handler for one output pipe."""

    def __init__(self, owner: AgentProcess, fd: int, sink: Callable[[bytes], None]) -> None:
        self.owner = owner
        self.fd = fd
        self.sink = sink
        self.open = True

    def on_ready(self, mask: int) -> None:
        self.read_available()

    def read_available(self) -> None:
        while self.open:
            try:
                data = os.read(self.fd, READ_CHUNK)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.owner.close_pipe(self)
                return
            self.sink(data)


class _ExitWatcher:
    """Selector handler for the pidfd."""

    def __init__(self, owner: AgentProcess) -> None:
        self.owner = owner

    def on_ready(self, mask: int) -> None:
        self.owner.reap()


class AgentProcess:
    """A spawned agent.  ``on_exit(process, end)`` is called once, after the final read."""

    def __init__(
        self,
        selector: selectors.BaseSelector,
        invocation: Invocation,
        cwd: str,
        on_exit: Callable[[AgentProcess, ProcessEnd], None],
    ) -> None:
        self.selector = selector
        self.on_exit = on_exit
        self.stdout = Tail()
        self.stderr = Tail()
        self.scanner = LineScanner()
        stdin_fd = _memory_file(invocation.stdin) if invocation.stdin is not None else None
        try:
            self.proc = subprocess.Popen(  # raises OSError when the agent cannot be executed
                list(invocation.argv),
                stdin=subprocess.DEVNULL if stdin_fd is None else stdin_fd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(invocation.env),
                cwd=cwd,
                close_fds=True,
                start_new_session=True,
            )
        finally:
            if stdin_fd is not None:
                os.close(stdin_fd)
        self.pid = self.proc.pid
        self.done = False
        self.pidfd: int | None = None
        with contextlib.suppress(ProcessLookupError):
            self.pidfd = os.pidfd_open(self.pid)
        # No pidfd: the process is gone and was reaped by the kernel (SIGCHLD ignored).
        self.gone_early = self.pidfd is None
        out, err = self.proc.stdout, self.proc.stderr
        if out is None or err is None:  # cannot happen: both are pipes
            raise RuntimeError("agent output pipes missing")
        self._pipes: list[_PipeReader] = []
        for stream, sink in ((out, self.stdout.feed), (err, self._err)):
            fd = stream.fileno()
            os.set_blocking(fd, False)
            reader = _PipeReader(self, fd, sink)
            self._pipes.append(reader)
            selector.register(fd, selectors.EVENT_READ, reader)
        if self.pidfd is not None:
            selector.register(self.pidfd, selectors.EVENT_READ, _ExitWatcher(self))

    def _err(self, data: bytes) -> None:
        self.stderr.feed(data)
        self.scanner.feed(data)

    def close_pipe(self, reader: _PipeReader) -> None:
        if not reader.open:
            return
        reader.open = False
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(reader.fd)
        if reader is self._pipes[0] and self.proc.stdout is not None:
            self.proc.stdout.close()
        elif self.proc.stderr is not None:
            self.proc.stderr.close()

    def kill(self, group: bool) -> None:
        """SIGKILL the process group (or the process alone) unless it was reaped already."""
        if self.done:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                # The leader is not reaped yet (we reap only through the pidfd), so its pid
                # still names this group and cannot have been reused.
                os.killpg(self.pid, signal.SIGKILL)
            elif self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)

    def reap(self) -> None:
        if self.done:
            return
        returncode = self.proc.wait()
        self.done = True
        for reader in self._pipes:
            reader.read_available()
            self.close_pipe(reader)
        self.scanner.close()
        if self.pidfd is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(self.pidfd)
            os.close(self.pidfd)
            self.pidfd = None
        if returncode < 0:
            end = ProcessEnd("signaled", -returncode)
        else:
            end = ProcessEnd("exited", returncode)
        self.on_exit(self, end)

    def abandon(self) -> None:
        """Kill the whole group, reap, release everything; no callback (executor closing)."""
        if self.done:
            return
        self.kill(group=True)
        self.on_exit = _ignore
        self.reap()


def _ignore(process: AgentProcess, end: ProcessEnd) -> None:
    return None


def _memory_file(data: bytes) -> int:
    """A descriptor of an anonymous file holding ``data``, positioned at its start."""
    fd = os.memfd_create("pycrm-agent-stdin", os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd
