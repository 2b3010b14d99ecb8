"""Check a CIB: XML syntax, Pacemaker RelaxNG schema (when installed), model construction and
semantic rules the schema cannot express.  Every finding is a located :class:`CibError`.

* :func:`check_file` / :func:`check_text` -- the whole pipeline; ``[]`` means valid.
* :func:`semantic_errors` -- checks on an already built :class:`cib.model.Cib`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from cib import errors
from cib._xml import parse_root
from cib.errors import CibError
from cib.model import (
    Cib,
    Clone,
    DateExpression,
    NvSet,
    Primitive,
    Rule,
    iter_primitives,
    iter_resources,
    normalize_role,
)
from cib.parse import from_element
from cib.rules import date_spec_field_ok
from cib.scores import is_score

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

ROLES = frozenset({"Started", "Stopped", "Promoted", "Unpromoted"})
_BOOL = frozenset({"true", "false", "on", "off", "yes", "no", "y", "n", "1", "0"})
_DISCOVERY = frozenset({"always", "never", "exclusive"})
_NO_INTERVAL_OPS = frozenset({"start", "stop", "promote", "demote", "migrate_to", "migrate_from"})

_META_CHECKS: dict[str, str] = {
    "target-role": "role",
    "is-managed": "bool",
    "maintenance": "bool",
    "critical": "bool",
    "allow-migrate": "bool",
    "globally-unique": "bool",
    "notify": "bool",
    "ordered": "bool",
    "interleave": "bool",
    "promotable": "bool",
    "priority": "int",
    "clone-max": "int",
    "clone-node-max": "int",
    "clone-min": "int",
    "promoted-max": "int",
    "promoted-node-max": "int",
    "master-max": "int",
    "master-node-max": "int",
    "resource-stickiness": "score",
    "migration-threshold": "score",
    "multiple-active": "multiple-active",
}
_CLUSTER_CHECKS: dict[str, str] = {
    "stonith-enabled": "bool",
    "symmetric-cluster": "bool",
    "maintenance-mode": "bool",
    "stop-all-resources": "bool",
    "start-failure-is-fatal": "bool",
    "enable-startup-probes": "bool",
    "stop-orphan-resources": "bool",
    "stop-orphan-actions": "bool",
    "no-quorum-policy": "no-quorum-policy",
    "placement-strategy": "placement-strategy",
    "batch-limit": "int",
    "migration-limit": "int",
}
_ENUMS: dict[str, frozenset[str]] = {
    "multiple-active": frozenset({"block", "stop_only", "stop_start", "stop_unexpected"}),
    "no-quorum-policy": frozenset({"ignore", "freeze", "stop", "demote", "suicide"}),
    "placement-strategy": frozenset({"default", "utilization", "minimal", "balanced"}),
}


def _value_ok(kind: str, value: str) -> bool:
    if kind == "bool":
        return value.strip().lower() in _BOOL
    if kind == "int":  # Pacemaker reads the leading integer ("1.0" is 1)
        return re.match(r"\s*[+-]?\d", value) is not None
    if kind == "score":
        return is_score(value)
    if kind == "role":
        return normalize_role(value) in ROLES
    return value in _ENUMS[kind]


def _check_set(
    c: Cib, nvset: NvSet, checks: dict[str, str], warn: list[CibError]
) -> Iterator[CibError]:
    for name, value in nvset.values.items():
        kind = checks.get(name)
        if kind is not None and value != "#default" and not _value_ok(kind, value):
            # Pacemaker rejects a bad target-role and bad cluster options; other meta
            # attributes silently fall back to their defaults, so those are warnings.
            sink = warn if checks is _META_CHECKS and name != "target-role" else None
            err = CibError(
                errors.BAD_VALUE,
                f"{name}={value!r} is not a valid {kind.replace('-', ' ')} value",
                file=c.source,
                line=nvset.line,
                element_id=nvset.id,
            )
            if sink is None:
                yield err
            else:
                sink.append(err)
    if nvset.rule is not None:
        yield from _check_rule(c, nvset.rule, warn)


def _check_rule(c: Cib, rule: Rule, warn: list[CibError]) -> Iterator[CibError]:
    if not rule.expressions:
        yield CibError(
            errors.INVALID,
            "a rule needs at least one expression",
            file=c.source,
            line=rule.line,
            element_id=rule.id,
        )
    if rule.role is not None and rule.role not in ROLES:
        yield CibError(
            errors.BAD_VALUE,
            f"unknown role {rule.role!r}",
            file=c.source,
            line=rule.line,
            element_id=rule.id,
        )
    for item in rule.expressions:
        if isinstance(item, Rule):
            yield from _check_rule(c, item, warn)
        elif isinstance(item, DateExpression) and item.date_spec is not None:
            for name, value in item.date_spec.fields.items():
                if not date_spec_field_ok(value):
                    warn.append(
                        CibError(
                            errors.BAD_VALUE,
                            f"date_spec {name}={value!r} does not parse and is ignored",
                            file=c.source,
                            line=item.date_spec.line,
                            element_id=item.date_spec.id,
                        )
                    )


def _check_primitive(c: Cib, prim: Primitive, warn: list[CibError]) -> Iterator[CibError]:
    seen: dict[tuple[str, int], str] = {}
    for op in prim.ops:
        err = None
        key = (op.name, op.interval_ms)
        if key in seen:
            # crm_verify calls this an error; the scheduler goes on (and schedules no
            # recurring action of that name and interval)
            yield CibError(
                errors.DUPLICATE_OP,
                f"operation {op.name} with interval {op.interval_ms}ms duplicates "
                f"{seen[key]!r} (do not use same name and interval combination more than "
                "once per resource)",
                file=c.source,
                line=op.line,
                element_id=op.id,
            )
        elif op.name in _NO_INTERVAL_OPS and op.interval_ms != 0:
            err = f"operation {op.name} cannot be recurring (interval {op.interval_ms}ms)"
        elif op.role is not None and op.role not in ROLES:
            err = f"unknown role {op.role!r}"
        elif op.on_fail == "demote" and not (
            op.name == "promote"
            or (op.name == "monitor" and op.role == "Promoted" and op.interval_ms)
        ):
            warn.append(
                CibError(
                    errors.INVALID,
                    "on-fail=demote only applies to promote and promoted recurring monitors",
                    file=c.source,
                    line=op.line,
                    element_id=op.id,
                )
            )
        if err is not None:
            yield CibError(errors.INVALID, err, file=c.source, line=op.line, element_id=op.id)
        if "timeout" in op.extra:
            warn.append(
                CibError(
                    errors.BAD_TIME,
                    f"timeout={op.extra['timeout']!r} is not a time Pacemaker reads for a "
                    "timeout (ISO 8601 only for intervals), so the default timeout applies",
                    file=c.source,
                    line=op.line,
                    element_id=op.id,
                )
            )
        seen.setdefault(key, op.id)
        for nvset in op.meta_sets:
            yield from _check_set(c, nvset, {}, warn)
    if prim.standard == "stonith" and prim.provider:
        yield CibError(
            errors.INVALID,
            "class 'stonith' takes no provider",
            file=c.source,
            line=prim.line,
            element_id=prim.id,
        )


def semantic_errors(c: Cib) -> list[CibError]:
    """Errors the schema cannot see, where Pacemaker also calls the configuration invalid
    (duplicate or recurring start/stop ops, bad target-role, bad cluster options...)."""
    return semantic_issues(c)[0]


def semantic_issues(c: Cib) -> tuple[list[CibError], list[CibError]]:
    """(errors, warnings) for a built model."""
    out: list[CibError] = []
    warn: list[CibError] = []
    for nvset in c.crm_config:
        out.extend(_check_set(c, nvset, _CLUSTER_CHECKS, warn))
    for nvset in c.rsc_defaults:
        out.extend(_check_set(c, nvset, _META_CHECKS, warn))
    for nvset in c.op_defaults:
        out.extend(_check_set(c, nvset, {}, warn))
    unames: dict[str, str] = {}
    for node in c.nodes:
        if node.uname in unames:
            out.append(
                CibError(
                    errors.DUPLICATE_ID,
                    f"node name {node.uname!r} is also used by node {unames[node.uname]!r}",
                    file=c.source,
                    line=node.line,
                    element_id=node.id,
                )
            )
        unames.setdefault(node.uname, node.id)
        for nvset in node.attr_sets:
            out.extend(_check_set(c, nvset, {}, warn))
    for rsc in iter_resources(c.resources):
        for nvset in rsc.meta_sets:
            out.extend(_check_set(c, nvset, _META_CHECKS, warn))
        if isinstance(rsc, Primitive):
            out.extend(_check_primitive(c, rsc, warn))
        if isinstance(rsc, Clone) and _lsb_in_unique_clone(rsc):
            warn.append(
                CibError(
                    errors.INVALID,
                    f"clone {rsc.id!r} contains a non-OCF (lsb) resource and so can only be "
                    "used as an anonymous clone; set the globally-unique meta attribute to "
                    "false",
                    file=c.source,
                    line=rsc.line,
                    element_id=rsc.id,
                )
            )
    for loc in c.locations:
        problem = None
        if loc.rsc_pattern is not None:
            try:
                re.compile(loc.rsc_pattern)
            except re.error as exc:
                problem = (
                    f"rsc-pattern {loc.rsc_pattern!r} is not a valid regular expression: {exc}"
                )
        if loc.role is not None and loc.role not in ROLES:
            problem = f"unknown role {loc.role!r}"
        if loc.resource_discovery not in _DISCOVERY:
            problem = f"unknown resource-discovery {loc.resource_discovery!r}"
        if problem:
            out.append(
                CibError(errors.BAD_VALUE, problem, file=c.source, line=loc.line, element_id=loc.id)
            )
        for rule in loc.rules:
            out.extend(_check_rule(c, rule, warn))
    for col in c.colocations:
        if col.rsc is not None and col.rsc == col.with_rsc:
            warn.append(
                CibError(
                    errors.INVALID,
                    f"resource {col.rsc!r} cannot be colocated with itself",
                    file=c.source,
                    line=col.line,
                    element_id=col.id,
                )
            )
        for role in (col.rsc_role, col.with_rsc_role):
            if role is not None and role not in ROLES:
                out.append(
                    CibError(
                        errors.BAD_VALUE,
                        f"unknown role {role!r}",
                        file=c.source,
                        line=col.line,
                        element_id=col.id,
                    )
                )
    for order in c.orders:
        if (
            order.first is not None
            and order.first == order.then
            and order.first_action == order.then_action
        ):
            warn.append(
                CibError(
                    errors.INVALID,
                    f"resource {order.first!r} cannot be ordered after itself",
                    file=c.source,
                    line=order.line,
                    element_id=order.id,
                )
            )
    return out, warn


def _lsb_in_unique_clone(clone: Clone) -> bool:
    """Pacemaker's force_non_unique_clone: only OCF resources may be globally unique."""
    unique = any(
        nvset.values.get("globally-unique", "").strip().lower() in ("true", "on", "yes", "y", "1")
        for nvset in clone.meta_sets
    )
    return unique and any(p.standard == "lsb" for p in iter_primitives([clone.child]))


def check_text(
    text: str | bytes,
    source: str = "<string>",
    *,
    use_schema: bool | None = None,
    schema_dir: Path | None = None,
) -> list[CibError]:
    """All problems found in CIB text ([] = valid).

    ``use_schema``: True = require the RelaxNG schema, False = skip it, None = use it when
    the ``validate-with`` schema is installed in ``schema_dir`` (default
    :data:`cib.schema.SCHEMA_DIR`).
    """
    # Imported here: the schema support (and pathlib) is not needed by callers that only
    # use semantic_errors(), such as every `pycrm simulate` start.
    from cib import schema

    if schema_dir is None:
        schema_dir = schema.SCHEMA_DIR
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        root = parse_root(data, source)
        if use_schema or (
            use_schema is None and schema.available(root.get("validate-with"), schema_dir)
        ):
            found = schema.validate(root, source, schema_dir)
            if found:
                return found
        model = from_element(root, source)
    except CibError as exc:
        return [exc]
    return semantic_errors(model)


def check_file(
    path: str | os.PathLike[str],
    *,
    use_schema: bool | None = None,
    schema_dir: Path | None = None,
) -> list[CibError]:
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return [CibError(errors.IO, exc.strerror or str(exc), file=name, line=0)]
    return check_text(data, name, use_schema=use_schema, schema_dir=schema_dir)
