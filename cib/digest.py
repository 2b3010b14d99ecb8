"""Operation digests exactly as Pacemaker 2.1.5 records and compares them.

Pacemaker's controller records, with each resource history entry (``lrm_rsc_op``), digests of
the parameters the operation ran with; its scheduler recomputes them from the configuration
and restarts (or reloads) a resource, or reschedules a recurring operation, when they differ
("resource definition change").  One function, :func:`operation_digests`, serves both
sides: the scheduler calls it to compare, an executor calls it to record, so that
``crm_simulate`` reading a CIB written by pycrm decides the same as pycrm's scheduler.

* ``op-digest``: MD5 of all parameters the agent got -- the resource's instance attributes
  (evaluated for the node), the operation's own instance attributes, and, for a recurring
  operation only, ``CRM_meta_timeout`` (the operation timeout in milliseconds).  Every other
  ``CRM_meta_*``, ``crm_feature_set``, ``id``, ``on_node``, ``on_node_uuid``,
  ``op-digest`` and ``pcmk_external_ip`` are left out.
* ``op-restart-digest`` / ``op-force-restart`` (non-recurring operations of agents that
  support reload): the digest of the parameters a reload cannot change -- those not marked
  ``reloadable`` in the meta-data of an OCF 1.1 agent that advertises ``reload-agent``
  (with only a legacy ``reload``: those marked ``unique``) -- and their names as
  ``" a b "`` ("" when there are none).
* ``op-secure-digest`` / ``op-secure-params`` (agents with ``private`` parameters): the
  digest of all parameters but the private ones, and the private names as ``" a b "``.

The digest of a parameter set is the MD5 hex digest of the canonical XML text Pacemaker
hashes: ``" <parameters"`` + `` name="value"`` for each parameter in byte order of the
names (values escaped like Pacemaker's ``crm_xml_escape``) + ``"/>\\n"``.  Verified against
op-digest values recorded by Pacemaker in its regression cases and against crm_simulate's
decisions (tests/unit/cib/test_digest.py).

Standard library only (``cib`` may import nothing else but lxml).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from cib._record import FrozenRecord, setattr_

META_PREFIX = "CRM_meta_"
_FILTERED = frozenset(
    {"id", "crm_feature_set", "op-digest", "on_node", "on_node_uuid", "pcmk_external_ip"}
)


_PLAIN = re.compile(r"[^\x20-\x7e]|[<>\"'&]")


def _escape(value: str) -> str:
    """Pacemaker 2.1.5's crm_xml_escape, byte for byte (its quirks included: after the
    first multi-byte UTF-8 sequence the rest of the value is left as it is)."""
    if _PLAIN.search(value) is None:
        return value  # printable ASCII without markup: nothing to escape
    data = value.encode("utf-8")
    out = bytearray()
    index = 0
    length = len(data)
    while index < length:
        byte = data[index]
        if byte & 0x80 and index + 1 < length and data[index + 1] & 0x80:
            out += data[index:]  # Pacemaker stops escaping here
            break
        char = chr(byte)
        if char == "<":
            out += b"&lt;"
        elif char == ">":
            out += b"&gt;"
        elif char == '"':
            out += b"&quot;"
        elif char == "'":
            out += b"&apos;"
        elif char == "&":
            out += b"&amp;"
        elif char == "\t":
            out += b"    "
        elif char == "\n":
            out += b"\\n"
        elif char == "\r":
            out += b"\\r"
        elif byte < 0x20 or byte > 0x7E:
            signed = byte - 256 if byte > 0x7F else byte
            out += ("\\%03o" % (signed & 0xFFFFFFFF)).encode()
        else:
            out.append(byte)
        index += 1
    return out.decode("utf-8", errors="surrogateescape")


def params_digest(params: Mapping[str, str]) -> str:
    """The MD5 digest Pacemaker computes of a parameter set (``calculate_operation_digest``)."""
    return _items_digest(tuple(sorted(params.items(), key=lambda item: item[0].encode())))


@lru_cache(maxsize=8192)
def _items_digest(items: tuple[tuple[str, str], ...]) -> str:
    text = " <parameters"
    for name, value in items:
        text += f' {name}="{_escape(value)}"'
    text += "/>\n"
    data = text.encode("utf-8", errors="surrogateescape")
    # MD5 because Pacemaker uses it: a change detector, not a security measure
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def filter_for_digest(params: Mapping[str, str], interval_ms: int) -> dict[str, str]:
    """Pacemaker's pcmk__filter_op_for_digest: drop every ``CRM_meta_*`` (but keep
    ``CRM_meta_timeout`` for a recurring operation) and bookkeeping attributes."""
    out = {k: v for k, v in params.items() if not k.startswith(META_PREFIX) and k not in _FILTERED}
    timeout = params.get(META_PREFIX + "timeout")
    if interval_ms and timeout is not None:
        out[META_PREFIX + "timeout"] = timeout
    return out


def _word_list(names: Iterable[str]) -> str:
    return " " + " ".join(names) + " "


class OpDigests(FrozenRecord):
    """The digest attributes of one ``lrm_rsc_op`` (None: not recorded)."""

    op_digest: str
    op_restart_digest: str | None
    op_force_restart: str | None
    op_secure_digest: str | None
    op_secure_params: str | None

    __slots__ = (
        "op_digest",
        "op_force_restart",
        "op_restart_digest",
        "op_secure_digest",
        "op_secure_params",
    )
    __match_args__ = (
        "op_digest",
        "op_restart_digest",
        "op_force_restart",
        "op_secure_digest",
        "op_secure_params",
    )

    def __init__(
        self,
        op_digest: str,
        op_restart_digest: str | None = None,
        op_force_restart: str | None = None,
        op_secure_digest: str | None = None,
        op_secure_params: str | None = None,
    ) -> None:
        setattr_(self, "op_digest", op_digest)
        setattr_(self, "op_restart_digest", op_restart_digest)
        setattr_(self, "op_force_restart", op_force_restart)
        setattr_(self, "op_secure_digest", op_secure_digest)
        setattr_(self, "op_secure_params", op_secure_params)

    def as_attributes(self) -> dict[str, str]:
        """The ``lrm_rsc_op`` attributes to record (those that are not None)."""
        out = {"op-digest": self.op_digest}
        for name, value in (
            ("op-force-restart", self.op_force_restart),
            ("op-restart-digest", self.op_restart_digest),
            ("op-secure-params", self.op_secure_params),
            ("op-secure-digest", self.op_secure_digest),
        ):
            if value is not None:
                out[name] = value
        return out


def operation_digests(
    params: Mapping[str, str],
    interval_ms: int,
    *,
    agent_params: Iterable[str] = (),
    restart_params: Iterable[str] | None = None,
    private_params: Iterable[str] = (),
) -> OpDigests:
    """Digests of an operation run with ``params``.

    ``params``: everything the agent was given -- resource instance attributes (evaluated for
    the node), the operation's instance attributes and ``CRM_meta_*`` (at least
    ``CRM_meta_timeout`` in milliseconds for a recurring operation); the rest is filtered
    here like Pacemaker does.  ``agent_params``: the parameter names the agent's meta-data
    declares, in meta-data order.  ``restart_params``: of those, the ones a reload cannot
    change (not ``reloadable`` for an OCF 1.1 agent with ``reload-agent``; ``unique`` ones
    with only a legacy ``reload``), or None when the agent cannot reload.
    ``private_params``: those declared ``private``.
    """
    op_digest = params_digest(filter_for_digest(params, interval_ms))
    if restart_params is None and not private_params:
        return OpDigests(op_digest)
    declared = list(agent_params)
    restart_digest = force_restart = None
    if restart_params is not None and interval_ms == 0:
        wanted = set(restart_params)
        names = [n for n in declared if n in wanted]
        restart_digest = params_digest({n: params[n] for n in names if n in params})
        force_restart = _word_list(names) if names else ""
    secure_digest = secure_list = None
    private = set(private_params)
    names = [n for n in declared if n in private]
    if names:
        kept = filter_for_digest(params, interval_ms)
        for name in names:
            kept.pop(name, None)
        secure_digest = params_digest(kept)
        secure_list = _word_list(names)
    return OpDigests(op_digest, restart_digest, force_restart, secure_digest, secure_list)


def is_fence_param(name: str) -> bool:
    """Pacemaker's pcmk_stonith_param: parameters the fencer adds to fence devices."""
    if name in ("provides", "stonith-timeout"):
        return True
    if not name.startswith("pcmk_"):
        return False
    if name in (
        "pcmk_action_limit",
        "pcmk_delay_base",
        "pcmk_delay_max",
        "pcmk_host_argument",
        "pcmk_host_check",
        "pcmk_host_list",
        "pcmk_host_map",
    ):
        return True
    rest = name[5:]
    cut = rest.find("_")
    return cut >= 0 and rest[cut:] in ("_action", "_timeout", "_retries")


def _version(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def secure_digest(
    params: Mapping[str, str],
    interval_ms: int,
    secure_params: str,
    *,
    op_version: str,
    resource_params: Mapping[str, str] | None = None,
    fence_device: bool = False,
) -> str:
    """The secure digest Pacemaker's scheduler compares with a recorded ``op-secure-digest``
    (``secure_params`` is the recorded ``" a b "`` list).  Records of a feature set older
    than 3.16.0 hashed only the resource's own parameters (``resource_params``), without
    the fencer's ``pcmk_*`` parameters and without the timeout."""
    names = set(secure_params.split())
    if _version(op_version) < (3, 16, 0):
        kept = dict(resource_params if resource_params is not None else params)
        kept = {k: v for k, v in kept.items() if k not in names}
        if fence_device:
            kept = {k: v for k, v in kept.items() if not is_fence_param(k)}
        kept = filter_for_digest(kept, interval_ms)
        kept.pop(META_PREFIX + "timeout", None)
        return params_digest(kept)
    kept = filter_for_digest(params, interval_ms)
    return params_digest({k: v for k, v in kept.items() if k not in names})
