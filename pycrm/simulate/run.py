"""One simulation: read the CIB, apply the injections, schedule, arrange for display."""

from __future__ import annotations

import os
from datetime import datetime

import cib
from cib import errors
from cib._record import FrozenRecord, setattr_
from cib._xml import parse_root
from cib.errors import CibError
from cib.model import Cib
from cib.parse import from_element
from cib.validate import semantic_errors
from pycrm.scheduler import NodeInfo, Transition, schedule
from pycrm.simulate import inject
from pycrm.simulate.view import Item, build_tree


class Simulation(FrozenRecord):
    source: str
    cib: Cib
    transition: Transition
    modifications: tuple[str, ...]
    injections: inject.Injections
    current_nodes: tuple[NodeInfo, ...]  # before the injections, like crm_simulate
    current: list[Item]
    revised: list[Item]
    warnings: tuple[str, ...]  # problems Pacemaker's scheduler tolerates (crm_verify errors)

    __match_args__ = (
        "source",
        "cib",
        "transition",
        "modifications",
        "injections",
        "current_nodes",
        "current",
        "revised",
        "warnings",
    )

    def __init__(
        self,
        source: str,
        cib: Cib,
        transition: Transition,
        modifications: tuple[str, ...],
        injections: inject.Injections,
        current_nodes: tuple[NodeInfo, ...],
        current: list[Item],
        revised: list[Item],
        warnings: tuple[str, ...] = (),
    ) -> None:
        setattr_(self, "source", source)
        setattr_(self, "cib", cib)
        setattr_(self, "transition", transition)
        setattr_(self, "modifications", modifications)
        setattr_(self, "injections", injections)
        setattr_(self, "current_nodes", current_nodes)
        setattr_(self, "current", current)
        setattr_(self, "revised", revised)
        setattr_(self, "warnings", warnings)


# crm_verify errors that Pacemaker's scheduler (and so crm_simulate) goes on with
_TOLERATED = frozenset({errors.DUPLICATE_OP})


def load_checked(path: str, warnings: list[str] | None = None) -> tuple[bytes, Cib]:
    """The file's bytes and model; any problem is a located CibError.  Problems the
    scheduler tolerates are appended to ``warnings`` instead."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise CibError(errors.IO, exc.strerror or str(exc), file=path, line=0) from None
    model = cib.loads(data, source=path)
    problems = []
    for problem in semantic_errors(model):
        if problem.code in _TOLERATED:
            if warnings is not None:
                warnings.append(str(problem))
        else:
            problems.append(problem)
    if problems:
        raise problems[0]
    return data, model


def _with_injections(
    data: bytes, source: str, injections: inject.Injections, now: datetime | None
) -> tuple[Cib, list[str]]:
    root = parse_root(data, source)
    stamp = int(now.timestamp()) if now is not None else None
    try:
        lines = inject.apply(root, injections, stamp)
    except inject.InjectError as exc:
        raise CibError(errors.BAD_VALUE, str(exc), file=source, line=0) from None
    return from_element(root, source), lines


def simulate(
    path: str | os.PathLike[str],
    injections: inject.Injections | None = None,
    now: datetime | None = None,
) -> Simulation:
    """Run the scheduler on the CIB file at `path` after `injections`."""
    source = os.fspath(path)
    wanted = injections or inject.Injections()
    warnings: list[str] = []
    data, model = load_checked(source, warnings)
    before = model
    lines: list[str] = []
    if wanted:
        model, lines = _with_injections(data, source, wanted, now)
    # a CIB file may come from crm_report with private parameters masked: like
    # crm_simulate -x, a change of only those is no definition change
    transition = schedule(model, now=now, sanitized=True)
    shown = transition if model is before else schedule(before, now=now, sanitized=True)
    return Simulation(
        source=source,
        cib=before,
        transition=transition,
        modifications=tuple(lines),
        injections=wanted,
        current_nodes=shown.nodes,
        current=build_tree(before, shown.current),
        revised=build_tree(model, transition.target),
        warnings=tuple(warnings),
    )
