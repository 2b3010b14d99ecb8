"""The live CIB as a document: show, load, diff and verify (cibadmin / crm configure / crm_verify).

* :func:`show` -- the live CIB as text: by default the ``<cib>`` element with its versions and
  its configuration, without the status section (what :func:`load` takes back); a ``scope``
  names one section alone (``cibadmin --query --scope``), ``all`` the whole document.
* :func:`plan_load` -- a file's configuration checked (XML, Pacemaker's RelaxNG schema, the
  model, the semantic checks of :mod:`cib.validate`) and compared with the live version
  before anything is submitted: every problem is ``file:line: id: message`` (CIB_INVALID); a
  file whose ``(admin_epoch, epoch)`` is older than the live one is refused (CIB_OLDER,
  forceable).  The file is a whole ``<cib>`` (its status section is ignored: the cluster's
  own status stays) or a bare ``<configuration>``, which has no version to compare.  The
  result is one :class:`cib.patch.ReplaceConfiguration`; the new configuration gets the next
  epoch of the live version (admin_epoch is compared, not copied).
* :func:`diff` -- what a load would change, as a unified diff of the two configurations.
* :func:`verify` -- the live CIB checked like ``crm_verify --live-check``: the same checks as a
  load, plus the scheduler's refusal to start anything when fencing is enabled without a
  fencing device (crm_verify reports it as an error too).
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from cib import patch
from cib._xml import make_parser, parse_root
from cib.errors import CibError
from cib.parse import from_element
from cib.validate import check_text, semantic_issues
from cib.version import Version, classify_change
from pycrm.ops import errors

SECTIONS = (
    "configuration",
    "crm_config",
    "nodes",
    "resources",
    "constraints",
    "rsc_defaults",
    "op_defaults",
    "status",
)
SCOPES = ("all", *SECTIONS)


def _pretty(el: etree._Element) -> str:
    """An element as indented text (whitespace between elements re-done)."""
    clean = etree.fromstring(etree.tostring(el), parser=make_parser(remove_blank_text=True))
    return etree.tostring(clean, pretty_print=True, encoding="unicode")


def without_status(root: etree._Element) -> etree._Element:
    """A copy of ``<cib>`` with its configuration only (the versions kept on the element,
    ``have-quorum`` and ``dc-uuid`` left out with the status)."""
    out = copy.deepcopy(root)
    for status in out.findall("status"):
        out.remove(status)
    for name in patch.ROOT_STATUS_ATTRS:  # have-quorum, dc-uuid: status, not configuration
        if name in out.attrib:
            del out.attrib[name]
    return out


def show(live: bytes, scope: str | None = None) -> str:
    """The live CIB as text (see the module docstring)."""
    root = parse_root(live, "<live CIB>")
    if scope is None:
        return _pretty(without_status(root))
    if scope == "all":
        return _pretty(root)
    if scope not in SECTIONS:
        raise errors.fail(errors.BAD_VALUE, f"unknown scope {scope!r} (one of {', '.join(SCOPES)})")
    path = scope if scope in ("configuration", "status") else f"configuration/{scope}"
    found = root.find(path)
    if found is None:
        raise errors.fail(errors.BAD_VALUE, f"the live CIB has no {scope} section")
    return _pretty(found)


# ----------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class LoadPlan:
    change: patch.ReplaceConfiguration
    live: Version
    file_version: Version | None  # None: a bare <configuration>
    unchanged: bool  # the file's configuration is the live one
    notes: tuple[str, ...]


def _invalid(problems: list[CibError]) -> errors.OpsError:
    return errors.OpsError(*(errors.Report(errors.CIB_INVALID, str(p)) for p in problems))


def _wrapped(data: bytes, live_root: etree._Element) -> bytes:
    """A bare ``<configuration>`` inside a ``<cib>`` like the live one, on the same lines (so
    that a problem's line number is the file's)."""
    text = data.decode("utf-8", "surrogateescape")
    start = 0
    if text.lstrip().startswith("<?xml"):
        start = text.index("?>") + 2
    attrs = {
        str(k): str(v) for k, v in live_root.items() if k in ("validate-with", "crm_feature_set")
    }
    attrs.update(admin_epoch="0", epoch="0", num_updates="0")
    head = "<cib " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + ">"
    body = text[start:]
    return (head + body + "<status/></cib>").encode("utf-8", "surrogateescape")


def _checked_file(data: bytes, source: str, live_root: etree._Element) -> etree._Element:
    """The file's ``<cib>`` root (a bare configuration wrapped), fully checked."""
    root = parse_root(data, source)  # CibError: XML syntax, with its line
    if root.tag == "configuration":
        data = _wrapped(data, live_root)
    elif root.tag != "cib":
        raise errors.fail(
            errors.CIB_INVALID,
            f"{source}:{root.sourceline or 1}: {root.tag}: expected <cib> or <configuration>,"
            f" got <{root.tag}>",
        )
    problems = check_text(data, source)
    if problems:
        raise _invalid(problems)
    return parse_root(data, source)


def plan_load(live: bytes, data: bytes, source: str, *, force: bool = False) -> LoadPlan:
    """Check a file for ``cib load`` (see the module docstring); OpsError if it cannot."""
    live_root = parse_root(live, "<live CIB>")
    live_version = Version.of_element(live_root)
    try:
        bare = parse_root(data, source).tag == "configuration"
        file_root = _checked_file(data, source, live_root)
    except CibError as exc:
        raise _invalid([exc]) from None
    notes: list[str] = []
    file_version = None if bare else Version.of_element(file_root)
    if file_version is not None:
        older = (file_version.admin_epoch, file_version.epoch) < (
            live_version.admin_epoch,
            live_version.epoch,
        )
        if older and not force:
            raise errors.fail(
                errors.CIB_OLDER,
                f"{source}: version {file_version} is older than the live configuration"
                f" {live_version} (use --force to load it anyway)",
                forceable=True,
            )
        status = file_root.find("status")
        if status is not None and len(status):
            notes.append(f"{source}: its status section is ignored (the cluster keeps its own)")
        if file_root.get("validate-with") != live_root.get("validate-with"):
            notes.append(
                f"{source}: validate-with={file_root.get('validate-with')} is not the live"
                f" {live_root.get('validate-with')}: the configuration is checked against both"
            )
    config = file_root.find("configuration")
    if config is None:  # check_text accepted it: cannot happen, but never submit nothing
        raise errors.fail(errors.CIB_INVALID, f"{source}: no <configuration>")
    change = patch.ReplaceConfiguration(etree.tostring(config, encoding="unicode"))
    candidate = copy.deepcopy(live_root)
    change.apply(candidate)
    if file_root.get("validate-with") != live_root.get("validate-with"):
        problems = check_text(etree.tostring(candidate), f"{source} (in the live CIB)")
        if problems:
            raise _invalid(problems)
    unchanged = classify_change(live_root, candidate) != "configuration"
    return LoadPlan(change, live_version, file_version, unchanged, tuple(notes))


def diff(live: bytes, plan: LoadPlan, source: str) -> str:
    """A unified diff of the live configuration and the one ``plan`` would load."""
    live_root = parse_root(live, "<live CIB>")
    old = live_root.find("configuration")
    new = etree.fromstring(plan.change.xml.encode("utf-8"), parser=make_parser())
    before = _pretty(old).splitlines(keepends=True) if old is not None else []
    after = _pretty(new).splitlines(keepends=True)
    label = f" ({plan.file_version})" if plan.file_version is not None else ""
    return "".join(
        difflib.unified_diff(before, after, f"live configuration ({plan.live})", f"{source}{label}")
    )


# ----------------------------------------------------------------------------- verify
@dataclass(frozen=True)
class Verdict:
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


def verify(live: bytes, source: str) -> Verdict:
    """Check the live CIB like crm_verify -L (see the module docstring)."""
    problems = check_text(live, source)
    if problems:
        return Verdict(tuple(str(p) for p in problems), ())
    model = from_element(parse_root(live, source), source)
    found, warned = semantic_issues(model)
    errs = [str(p) for p in found]
    from pycrm.scheduler.build import build_world
    from pycrm.scheduler.fencing import NO_DEVICE_MESSAGE, start_up_disabled

    try:
        world = build_world(model, None)
    except CibError as exc:
        errs.append(str(exc))
    else:
        if start_up_disabled(world):
            errs.append(f"{source}:0: cib-bootstrap-options: {NO_DEVICE_MESSAGE}")
    return Verdict(tuple(errs), tuple(str(w) for w in warned))
