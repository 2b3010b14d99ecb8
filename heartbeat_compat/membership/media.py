"""Build transport media from a parsed ha.cf (`heartbeat_compat.config.hacf_model.HaCf`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from heartbeat_compat.transport.base import Medium, MediumSetupError
from heartbeat_compat.transport.icmp import PingMedium
from heartbeat_compat.transport.serial import SerialMedium
from heartbeat_compat.transport.udp import BcastMedium, McastMedium, UcastMedium


class MediumSpec(Protocol):
    """The subset of `hacf_model.Medium` used here."""

    @property
    def kind(self) -> str: ...
    @property
    def interface(self) -> str: ...
    @property
    def peer(self) -> str | None: ...
    @property
    def group(self) -> str | None: ...
    @property
    def port(self) -> int | None: ...
    @property
    def ttl(self) -> int | None: ...
    @property
    def loop(self) -> int | None: ...
    @property
    def baud(self) -> int | None: ...


def build_media(specs: Sequence[MediumSpec], udpport: int, baud: int) -> list[Medium]:
    """One medium per bcast/mcast/serial line; ucast lines grouped per interface.

    Raises MediumSetupError for media this node does not implement.
    """
    media: list[Medium] = []
    ucast: dict[tuple[str, int], UcastMedium] = {}
    for spec in specs:
        port = spec.port or udpport
        if spec.kind == "ucast":
            if not spec.peer:
                raise MediumSetupError(f"ucast {spec.interface}: no peer address")
            key = (spec.interface, port)
            if key not in ucast:
                ucast[key] = UcastMedium(spec.interface, [], port)
                media.append(ucast[key])
            ucast[key].peers.append(spec.peer)
        elif spec.kind == "bcast":
            media.append(BcastMedium(spec.interface, port))
        elif spec.kind == "mcast":
            if spec.group is None:
                raise MediumSetupError(f"mcast {spec.interface}: no group")
            media.append(
                McastMedium(spec.interface, spec.group, port, spec.ttl or 0, bool(spec.loop))
            )
        elif spec.kind == "serial":
            media.append(SerialMedium(spec.interface, spec.baud or baud))
        else:
            raise MediumSetupError(f"{spec.kind} {spec.interface}: medium not supported")
    return media


def build_ping_media(ping_nodes: Sequence[str]) -> list[PingMedium]:
    return [PingMedium(ip) for ip in ping_nodes]


def link_names(media: Sequence[Medium]) -> tuple[str, ...]:
    """Distinct link names in configuration order (heartbeat lists each medium once)."""
    seen: dict[str, None] = {}
    for medium in media:
        seen.setdefault(medium.link, None)
    return tuple(seen)
