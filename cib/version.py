"""The CIB version triple and its rules.

``(admin_epoch, epoch, num_updates)`` compares lexicographically (the higher copy wins when
cluster nodes sync).  A configuration change bumps ``epoch`` and zeroes ``num_updates``; a
status-only change bumps ``num_updates``; ``admin_epoch`` changes only when an administrator
asks (:meth:`Version.bump_admin`, which leaves the other two alone: it already dominates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import etree

from cib.model import Cib

Change = Literal["none", "status", "configuration"]

# <cib> attributes that are bookkeeping, not configuration
_VOLATILE_ROOT = frozenset(
    {
        "admin_epoch",
        "epoch",
        "num_updates",
        "cib-last-written",
        "update-origin",
        "update-client",
        "update-user",
        "have-quorum",
        "dc-uuid",
        "execution-date",
    }
)


@dataclass(frozen=True, slots=True, order=True)
class Version:
    admin_epoch: int = 0
    epoch: int = 0
    num_updates: int = 0

    def __str__(self) -> str:
        return f"{self.admin_epoch}.{self.epoch}.{self.num_updates}"

    @classmethod
    def parse(cls, text: str) -> Version:
        """Read ``admin_epoch.epoch.num_updates`` (as crm_mon/cibadmin print it)."""
        parts = text.strip().split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"invalid CIB version {text!r}")
        return cls(int(parts[0]), int(parts[1]), int(parts[2]))

    @classmethod
    def of(cls, cib: Cib) -> Version:
        return cls(cib.admin_epoch, cib.epoch, cib.num_updates)

    @classmethod
    def of_element(cls, root: etree._Element) -> Version:
        def num(name: str) -> int:
            value = root.get(name, "0")
            return int(value) if value.isdigit() else 0

        return cls(num("admin_epoch"), num("epoch"), num("num_updates"))

    def bump_config(self) -> Version:
        return Version(self.admin_epoch, self.epoch + 1, 0)

    def bump_status(self) -> Version:
        return Version(self.admin_epoch, self.epoch, self.num_updates + 1)

    def bump_admin(self) -> Version:
        return Version(self.admin_epoch + 1, self.epoch, self.num_updates)

    def bump(self, change: Change) -> Version:
        if change == "configuration":
            return self.bump_config()
        if change == "status":
            return self.bump_status()
        return self

    def apply(self, root: etree._Element) -> None:
        """Write the triple into a ``<cib>`` element."""
        root.set("admin_epoch", str(self.admin_epoch))
        root.set("epoch", str(self.epoch))
        root.set("num_updates", str(self.num_updates))


def compare(a: Version, b: Version) -> int:
    """-1, 0 or 1 like Pacemaker's cib_compare_generation."""
    return (a > b) - (a < b)


_Canon = tuple[str, tuple[tuple[str, str], ...], str, tuple["_Canon", ...]]


def _canon(el: etree._Element) -> _Canon:
    attrs = tuple(sorted((str(k), str(v)) for k, v in el.items()))
    kids = tuple(_canon(c) for c in el.iterchildren(tag=etree.Element))
    return (str(el.tag), attrs, (el.text or "").strip(), kids)


def _root_attrs(root: etree._Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in root.items() if k not in _VOLATILE_ROOT}


def _section(root: etree._Element, tag: str) -> _Canon | None:
    for child in root.iterchildren(tag):
        return _canon(child)
    return None


def classify_change(old: etree._Element, new: etree._Element) -> Change:
    """What kind of change turns ``old`` into ``new`` (whitespace and attribute order ignored)."""
    if _root_attrs(old) != _root_attrs(new):
        return "configuration"
    if _section(old, "configuration") != _section(new, "configuration"):
        return "configuration"
    if _section(old, "status") != _section(new, "status"):
        return "status"
    return "none"


def next_version(old: etree._Element, new: etree._Element) -> Version:
    """The version ``new`` should carry after replacing ``old`` (the admin_epoch of ``new`` is
    kept if an administrator raised it)."""
    current = Version.of_element(old)
    proposed = Version.of_element(new)
    if proposed.admin_epoch > current.admin_epoch:
        return proposed
    return current.bump(classify_change(old, new))
