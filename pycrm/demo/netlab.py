"""A throw-away two-host network made of namespaces, for the demo.

Names carry a random per-run prefix, addresses come from 10.213.0.0/16 and
exist only inside the demo's namespaces; everything is removed on exit.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Sequence


class DemoNet:
    def __init__(self) -> None:
        tag = secrets.token_hex(2)
        self.prefix = f"pycrmdemo{tag}"
        self.server = f"{self.prefix}-srv"
        self.client = f"{self.prefix}-cli"
        octet = int(tag, 16) % 250 + 1
        self.net = f"10.213.{octet}"
        self.nic = "eth0"
        self._made: list[str] = []

    def ip(self, *args: str) -> str:
        return run(["ip", *args])

    def setup(self) -> None:
        for ns in (self.server, self.client):
            self.ip("netns", "add", ns)
            self._made.append(ns)
            self.ip("-n", ns, "link", "set", "lo", "up")
        tmp_a, tmp_b = f"{self.prefix}a", f"{self.prefix}b"
        self.ip("link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b)
        self.ip("link", "set", tmp_a, "netns", self.server, "name", self.nic)
        self.ip("link", "set", tmp_b, "netns", self.client, "name", self.nic)
        for ns, host in ((self.server, 1), (self.client, 2)):
            self.ip("-n", ns, "addr", "add", f"{self.net}.{host}/24", "dev", self.nic)
            self.ip("-n", ns, "link", "set", self.nic, "up")

    def in_ns(self, ns: str, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", ns, *argv]

    def teardown(self) -> None:
        for ns in reversed(self._made):
            for pid in run(["ip", "netns", "pids", ns], check=False).split():
                # Only processes inside the demo's own, uniquely named namespace.
                subprocess.run(["kill", "-9", pid], check=False, capture_output=True)
            run(["ip", "netns", "del", ns], check=False)
        self._made.clear()


def run(argv: Sequence[str], *, check: bool = True, timeout: float = 30) -> str:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {res.stderr.strip() or res.returncode}")
    return res.stdout
