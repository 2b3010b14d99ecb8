"""`serial <tty>`: heartbeat over a serial line (a pty pair in tests).

The line carries a byte stream, so messages are framed by their own markers:
classic messages run from `>>>\\n` to `<<<\\n` (heartbeat's serial plugin reads
lines up to MSG_END), netstring messages from `###\\n` through `%%%\\n` plus the
`len:auth,` trailer. Bytes outside a frame (line noise, a peer starting mid-
message) are discarded. Ring forwarding of serial messages (`ttl`) is not done.
"""

from __future__ import annotations

import contextlib
import os
import termios

from heartbeat_compat.transport.base import (
    MAX_DATAGRAM,
    Datagram,
    Medium,
    MediumSetupError,
    TransportError,
)

BAUD_RATES: dict[int, int] = {
    9600: termios.B9600,
    19200: termios.B19200,
    38400: termios.B38400,
    57600: termios.B57600,
    115200: termios.B115200,
    230400: termios.B230400,
    460800: termios.B460800,
}

CLASSIC_START = b">>>\n"
CLASSIC_END = b"<<<\n"
NS_START = b"###\n"
NS_END = b"%%%\n"


class FrameSplitter:
    """Incremental splitter of a byte stream into heartbeat messages."""

    def __init__(self, limit: int = MAX_DATAGRAM) -> None:
        self._buf = bytearray()
        self._limit = limit
        self.discarded = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        frames: list[bytes] = []
        while True:
            frame = self._next_frame()
            if frame is None:
                break
            frames.append(frame)
        if len(self._buf) > self._limit:
            # A frame larger than any legal message: drop it and resynchronise.
            self.discarded += len(self._buf)
            self._buf.clear()
        return frames

    def _resync(self) -> bool:
        """Drop bytes before the next start marker; False if none is buffered."""
        starts = [i for i in (self._buf.find(CLASSIC_START), self._buf.find(NS_START)) if i >= 0]
        if not starts:
            keep = 3  # a marker may be split across reads
            if len(self._buf) > keep:
                self.discarded += len(self._buf) - keep
                del self._buf[: len(self._buf) - keep]
            return False
        first = min(starts)
        if first:
            self.discarded += first
            del self._buf[:first]
        return True

    def _next_frame(self) -> bytes | None:
        if not self._resync():
            return None
        if self._buf.startswith(CLASSIC_START):
            end = self._buf.find(b"\n" + CLASSIC_END)
            if end < 0:
                return None
            stop = end + 1 + len(CLASSIC_END)
            frame = bytes(self._buf[:stop])
            del self._buf[:stop]
            return frame
        return self._netstring_frame()

    def _netstring_frame(self) -> bytes | None:
        pos = len(NS_START)
        buf = self._buf
        while True:
            if buf[pos : pos + len(NS_END)] == NS_END:
                pos += len(NS_END)
                break
            if len(buf) - pos < len(NS_END):
                return None
            nxt = self._skip_netstring(pos)
            if nxt is None:
                return None
            if nxt < 0:
                # Garbage inside: drop the start marker and look for the next frame.
                self.discarded += len(NS_START)
                del buf[: len(NS_START)]
                return self._next_frame()
            pos = nxt
        # Optional auth trailer `len:idx token,` right after %%%\n.
        if pos < len(buf) and chr(buf[pos]).isdigit():
            nxt = self._skip_netstring(pos)
            if nxt is None:
                return None
            if nxt > 0:
                pos = nxt
        elif pos >= len(buf):
            return None
        frame = bytes(buf[:pos])
        del buf[:pos]
        return frame

    def _skip_netstring(self, pos: int) -> int | None:
        """Offset after the netstring at `pos`; None = incomplete, -1 = malformed."""
        buf = self._buf
        colon = buf.find(b":", pos, pos + 12)
        if colon < 0:
            return None if len(buf) - pos < 12 else -1
        digits = bytes(buf[pos:colon])
        if not digits.isdigit():
            return -1
        length = int(digits)
        end = colon + 1 + length
        if end >= len(buf):
            return None if length <= self._limit else -1
        if buf[end] != ord(","):
            return -1
        return end + 1


class SerialMedium(Medium):
    """A tty in raw mode at `baud`; the link name is the device path as heartbeat shows it."""

    kind = "serial"

    def __init__(self, device: str, baud: int = 19200) -> None:
        super().__init__(device)
        if baud not in BAUD_RATES:
            raise MediumSetupError(f"serial {device}: unsupported baud rate {baud}")
        self.device = device
        self.baud = baud
        self._fd: int | None = None
        self._splitter = FrameSplitter()

    def open(self) -> None:
        try:
            fd = os.open(self.device, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise MediumSetupError(f"serial {self.device}: {exc.strerror}") from exc
        try:
            attrs = termios.tcgetattr(fd)
            speed = BAUD_RATES[self.baud]
            # cfmakeraw, 8N1, receiver on, modem control lines ignored.
            attrs[0] &= ~(
                termios.IGNBRK
                | termios.BRKINT
                | termios.PARMRK
                | termios.ISTRIP
                | termios.INLCR
                | termios.IGNCR
                | termios.ICRNL
                | termios.IXON
                | termios.IXOFF
            )
            attrs[1] &= ~termios.OPOST
            attrs[2] &= ~(termios.CSIZE | termios.PARENB | termios.CRTSCTS)
            attrs[2] |= termios.CS8 | termios.CREAD | termios.CLOCAL
            attrs[3] &= ~(
                termios.ECHO | termios.ECHONL | termios.ICANON | termios.ISIG | termios.IEXTEN
            )
            attrs[4] = speed
            attrs[5] = speed
            attrs[6][termios.VMIN] = 1
            attrs[6][termios.VTIME] = 0
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except termios.error as exc:
            os.close(fd)
            raise MediumSetupError(f"serial {self.device}: not a tty ({exc})") from exc
        self._fd = fd

    def fileno(self) -> int:
        if self._fd is None:
            raise TransportError(f"{self.describe()}: not open")
        return self._fd

    def send(self, data: bytes) -> None:
        if self._fd is None:
            raise TransportError(f"{self.describe()}: not open")
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except BlockingIOError as exc:
            # The line is full: the rest of this message is lost, like a dropped packet.
            raise TransportError(f"{self.describe()}: output buffer full") from exc
        except OSError as exc:
            raise TransportError(f"{self.describe()}: write failed: {exc.strerror}") from exc

    def recv(self) -> list[Datagram]:
        if self._fd is None:
            return []
        chunks = []
        while True:
            try:
                chunk = os.read(self._fd, 4096)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                raise TransportError(f"{self.describe()}: read failed: {exc.strerror}") from exc
            if not chunk:
                break
            chunks.append(chunk)
        frames = self._splitter.feed(b"".join(chunks)) if chunks else []
        return [Datagram(data=f, link=self.link, peer=self.device) for f in frames]

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
