"""Address, netmask, broadcast and label parsing (pure functions)."""

from __future__ import annotations

import pytest

from ocf.net import inet
from ocf.net.inet import AF_INET, AF_INET6, AddrError


def p4(text: str) -> bytes:
    return inet.parse_ip(text)[1]


@pytest.mark.parametrize(
    ("text", "family", "canonical"),
    [
        ("192.168.1.1", AF_INET, "192.168.1.1"),
        (" 10.0.0.5 ", AF_INET, "10.0.0.5"),
        ("2001:db8:DC28:0:0:FC57:D4C8:1FFF", AF_INET6, "2001:db8:dc28::fc57:d4c8:1fff"),
        ("fd00::0001", AF_INET6, "fd00::1"),
    ],
)
def test_parse_ip_valid(text: str, family: int, canonical: str) -> None:
    fam, packed = inet.parse_ip(text)
    assert fam == family
    assert inet.ntop(fam, packed) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10.0.0",
        "10.0.0.256",
        "0.1.2.3",
        "224.0.0.1",
        "255.255.255.255",
        "10.0.0.1/24",
        "fd00::g",
        "::",
        "ff02::1",
        "1.2.3.4.5",
        "01.2.3.x",
    ],
)
def test_parse_ip_invalid(text: str) -> None:
    with pytest.raises(AddrError):
        inet.parse_ip(text)


@pytest.mark.parametrize(
    ("text", "family", "plen"),
    [
        ("24", AF_INET, 24),
        ("32", AF_INET, 32),
        ("1", AF_INET, 1),
        ("255.255.255.0", AF_INET, 24),
        ("255.255.0.0", AF_INET, 16),
        ("255.255.255.255", AF_INET, 32),
        ("255.255.255.252", AF_INET, 30),
        ("64", AF_INET6, 64),
        ("128", AF_INET6, 128),
    ],
)
def test_parse_prefix_valid(text: str, family: int, plen: int) -> None:
    assert inet.parse_prefix(text, family) == plen


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("0", AF_INET),
        ("33", AF_INET),
        ("129", AF_INET6),
        ("255.0.255.0", AF_INET),  # not contiguous
        ("0.0.0.0", AF_INET),
        ("255.255.255.0", AF_INET6),  # dotted quads are IPv4 only
        ("24x", AF_INET),
        ("-1", AF_INET),
        ("", AF_INET),
    ],
)
def test_parse_prefix_invalid(text: str, family: int) -> None:
    with pytest.raises(AddrError):
        inet.parse_prefix(text, family)


def test_broadcast_computation() -> None:
    ip = p4("10.1.2.3")
    assert inet.ntop(AF_INET, inet.broadcast_of(ip, 24) or b"") == "10.1.2.255"
    assert inet.ntop(AF_INET, inet.broadcast_of(ip, 16) or b"") == "10.1.255.255"
    assert inet.ntop(AF_INET, inet.broadcast_of(ip, 30) or b"") == "10.1.2.3"
    assert inet.ntop(AF_INET, inet.broadcast_of(ip, 24, host_bits_set=False) or b"") == "10.1.2.0"
    assert inet.broadcast_of(ip, 31) is None
    assert inet.broadcast_of(ip, 32) is None


@pytest.mark.parametrize("text", ["", "+", "-", "10.0.0.255", "255.255.255.255"])
def test_parse_broadcast_valid(text: str) -> None:
    assert inet.parse_broadcast(text) == text


@pytest.mark.parametrize("text", ["*", "10.0.0", "fd00::1", "++"])
def test_parse_broadcast_invalid(text: str) -> None:
    with pytest.raises(AddrError):
        inet.parse_broadcast(text)


def test_contains_and_network() -> None:
    net = p4("10.1.0.0")
    assert inet.contains(AF_INET, net, 16, p4("10.1.200.7"))
    assert not inet.contains(AF_INET, net, 16, p4("10.2.0.1"))
    six = inet.parse_ip("fd00:1::1")[1]
    assert inet.contains(AF_INET6, inet.parse_ip("fd00:1::5")[1], 64, six)
    assert not inet.contains(AF_INET6, inet.parse_ip("fd00:2::5")[1], 64, six)
    assert inet.ntop(AF_INET, inet.network(AF_INET, p4("10.1.2.3"), 24)) == "10.1.2.0"


def test_split_nic_and_label() -> None:
    assert inet.split_nic("eth0") == ("eth0", None)
    assert inet.split_nic("eth0:1") == ("eth0", "1")
    assert inet.split_nic("eth0:a:b") == ("eth0", "a:b")
    assert inet.full_label("eth0", "vip") == "eth0:vip"
    assert inet.full_label("veth1a", "12345678") == "veth1a:12345678"  # 15 characters
    with pytest.raises(AddrError, match="exceeds maximum"):
        inet.full_label("veth1a", "123456789")


@pytest.mark.parametrize(("text", "value"), [("forever", 0xFFFFFFFF), ("0", 0), ("3600", 3600)])
def test_parse_lifetime(text: str, value: int) -> None:
    assert inet.parse_lifetime(text) == value


@pytest.mark.parametrize("text", ["", "never", "-1", "1.5", "4294967295"])
def test_parse_lifetime_invalid(text: str) -> None:
    with pytest.raises(AddrError):
        inet.parse_lifetime(text)


def test_clone_address() -> None:
    assert inet.clone_address("10.0.0.10", 0) == "10.0.0.10"
    assert inet.clone_address("10.0.0.10", 3) == "10.0.0.13"
    with pytest.raises(AddrError):
        inet.clone_address("10.0.0.250", 10)
    with pytest.raises(AddrError):
        inet.clone_address("fd00::1", 1)
