"""Media: UDP ucast on loopback, serial framing over a pty pair, ICMP packet helpers."""

from __future__ import annotations

import os
import select
import socket
import struct
import time

import pytest

from heartbeat_compat.transport import MediumSetupError, SerialMedium, UcastMedium
from heartbeat_compat.transport.icmp import echo_request, icmp_checksum, parse_echo_reply
from heartbeat_compat.transport.serial import FrameSplitter
from heartbeat_compat.transport.udp import McastMedium
from tests.fixtures.tools import require_root

CLASSIC = b">>>\nt=status\nsrc=a\n<<<\n"
NETSTRING = b"###\n11:(0)t=status,%%%\n8:1 abcdef,"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_splitter_handles_both_formats_noise_and_partial_reads() -> None:
    sp = FrameSplitter()
    stream = b"garbage" + CLASSIC + b"\x00\n" + NETSTRING + CLASSIC
    frames = []
    for i in range(0, len(stream), 5):
        frames += sp.feed(stream[i : i + 5])
    assert frames == [CLASSIC, NETSTRING, CLASSIC]
    assert sp.discarded >= len(b"garbage")


def test_splitter_drops_malformed_netstring_and_resyncs() -> None:
    sp = FrameSplitter()
    assert sp.feed(b"###\nxx:(0)t=a," + CLASSIC) == [CLASSIC]
    big = FrameSplitter(limit=100)
    assert big.feed(b">>>\n" + b"a=b\n" * 60) == []
    assert big.feed(CLASSIC) == [CLASSIC]


def test_serial_medium_over_pty() -> None:
    master, slave = os.openpty()
    try:
        medium = SerialMedium(os.ttyname(slave), baud=115200)
        medium.open()
        try:
            medium.send(CLASSIC)
            assert select.select([master], [], [], 2)[0]
            got = b""
            deadline = time.monotonic() + 2
            while len(got) < len(CLASSIC) and time.monotonic() < deadline:
                got += os.read(master, 4096)
            assert got == CLASSIC
            os.write(master, NETSTRING[:10])
            os.write(master, NETSTRING[10:] + CLASSIC)
            frames: list[bytes] = []
            deadline = time.monotonic() + 2
            while len(frames) < 2 and time.monotonic() < deadline:
                select.select([medium.fileno()], [], [], 0.5)
                frames += [d.data for d in medium.recv()]
            assert frames == [NETSTRING, CLASSIC]
            assert medium.link == os.ttyname(slave)
        finally:
            medium.close()
    finally:
        os.close(master)
        os.close(slave)


def test_serial_refuses_non_tty_and_bad_baud(tmp_path: object) -> None:
    with pytest.raises(MediumSetupError):
        SerialMedium("/dev/null", baud=1234)
    medium = SerialMedium("/dev/null")
    with pytest.raises(MediumSetupError, match="not a tty"):
        medium.open()


def test_ucast_on_loopback_sends_to_itself() -> None:
    require_root()  # SO_BINDTODEVICE
    port = _free_udp_port()
    medium = UcastMedium("lo", ["127.0.0.1"], port)
    medium.open()
    try:
        medium.send(CLASSIC)
        assert select.select([medium.fileno()], [], [], 2)[0]
        got = medium.recv()
        assert [d.data for d in got] == [CLASSIC]
        assert got[0].link == "lo" and got[0].peer == "127.0.0.1"
        assert medium.recv() == []
    finally:
        medium.close()


def test_ucast_bad_device_is_a_setup_error() -> None:
    require_root()
    medium = UcastMedium("nonexistent0", ["127.0.0.1"], _free_udp_port())
    with pytest.raises(MediumSetupError, match="nonexistent0"):
        medium.open()


def test_mcast_validates_arguments() -> None:
    with pytest.raises(MediumSetupError, match="not a multicast"):
        McastMedium("lo", "10.0.0.1", 694, 1, False)
    with pytest.raises(MediumSetupError, match="ttl"):
        McastMedium("lo", "239.0.0.1", 694, 9, False)


def test_icmp_echo_roundtrip_helpers() -> None:
    req = echo_request(0x1234, 7, b"payload")
    assert icmp_checksum(req) == 0
    reply_icmp = b"\x00" + req[1:2] + b"\x00\x00" + req[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(reply_icmp), 0, 0, 64, 1, 0,
                     b"\x7f\0\0\1", b"\x7f\0\0\1")  # fmt: skip
    assert parse_echo_reply(ip + reply_icmp, 0x1234) == b"payload"
    assert parse_echo_reply(ip + reply_icmp, 0x9999) is None
    assert parse_echo_reply(b"\x45", 1) is None


def test_ping_medium_echoes_payload_over_loopback() -> None:
    require_root()  # raw ICMP socket
    from heartbeat_compat.transport.icmp import PingMedium

    medium = PingMedium("127.0.0.1")
    medium.open()
    try:
        medium.send(b">>>\nt=NS_st\nst=ping\n<<<\n")
        got: list[bytes] = []
        deadline = time.monotonic() + 2
        while not got and time.monotonic() < deadline:
            select.select([medium.fileno()], [], [], 0.5)
            got += [d.data for d in medium.recv()]
        assert got == [b">>>\nt=NS_st\nst=ping\n<<<\n"]
    finally:
        medium.close()
