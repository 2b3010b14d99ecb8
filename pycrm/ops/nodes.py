"""Node operations: standby / online and node attributes (crm_standby, crm_attribute, pcs node).

A node attribute lives either in the configuration (``--lifetime=forever``: ``<node>``'s
``instance_attributes``, written through the DC like any configuration change) or in the
status section (``--lifetime=reboot``: a transient attribute, owned by that node's daemon,
which keeps it until it restarts).  :func:`update` returns the one or the other:
:class:`cib.patch.SetNodeAttr` changes for the configuration, a :class:`Transient` request for
the owning node's daemon (the ``node_attr`` control command, see pycrm/daemon/commands.py).

``standby`` is the attribute ``standby=on`` (online: ``standby=off``), as crm_standby and
crmsh write it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cib import patch
from cib.model import Cib
from cib.nvsets import resolve
from pycrm.ops import errors, find

Lifetime = Literal["forever", "reboot"]
LIFETIMES: tuple[Lifetime, ...] = ("forever", "reboot")
STANDBY = "standby"
MAX_NAME = 256
MAX_VALUE = 4096


@dataclass(frozen=True)
class Transient:
    """A transient attribute for the daemon of ``node`` (``value`` None deletes it)."""

    node: str
    name: str
    value: str | None


@dataclass(frozen=True)
class Update:
    changes: list[patch.Change]  # configuration (lifetime forever)
    transient: list[Transient]  # status (lifetime reboot)


def check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME:
        raise errors.fail(errors.BAD_VALUE, f"invalid attribute name {name!r}")
    if name.startswith("#"):
        raise errors.fail(
            errors.BAD_VALUE, f"{name} is a built-in node attribute: it cannot be set"
        )
    if any(c.isspace() or not c.isprintable() for c in name):
        raise errors.fail(
            errors.BAD_VALUE, f"invalid attribute name {name!r} (blank or control character)"
        )


def check_value(value: str) -> None:
    if len(value) > MAX_VALUE or any(ord(c) < 0x20 and c != "\t" for c in value):
        raise errors.fail(errors.BAD_VALUE, f"invalid attribute value {value[:40]!r}")


def update(
    model: Cib, nodes: Iterable[str], name: str, value: str | None, lifetime: Lifetime
) -> Update:
    """Set (``value``) or delete (None) attribute ``name`` of each node."""
    check_name(name)
    if value is not None:
        check_value(value)
    targets = [find.node(model, n).uname for n in nodes]
    if lifetime == "reboot":
        return Update([], [Transient(n, name, value) for n in targets])
    if value is None:
        missing = [n for n in targets if name not in permanent(model, n)]
        if len(missing) == len(targets):
            raise errors.fail(
                errors.ATTRIBUTE_NOT_FOUND,
                f"attribute {name} is not set on {', '.join(missing)}",
            )
        targets = [n for n in targets if n not in missing]
    return Update([patch.SetNodeAttr(n, name, value) for n in targets], [])


def standby(model: Cib, nodes: Iterable[str], on: bool, lifetime: Lifetime = "forever") -> Update:
    return update(model, nodes, STANDBY, "on" if on else "off", lifetime)


def permanent(model: Cib, node: str) -> dict[str, str]:
    """A node's permanent attributes (its ``instance_attributes``, no rules evaluated)."""
    return resolve(find.node(model, node).attr_sets)


def transient(model: Cib, node: str) -> dict[str, str]:
    find.node(model, node)
    status = model.status.get(node)
    return dict(status.transient) if status is not None else {}


def value(model: Cib, node: str, name: str, lifetime: Lifetime) -> str:
    """The attribute's value (crm_attribute --query); ATTRIBUTE_NOT_FOUND when unset."""
    check_name(name)
    attrs = permanent(model, node) if lifetime == "forever" else transient(model, node)
    if name not in attrs:
        scope = "nodes" if lifetime == "forever" else "status"
        raise errors.fail(
            errors.ATTRIBUTE_NOT_FOUND, f"attribute {name} is not set on {node} (scope {scope})"
        )
    return attrs[name]
