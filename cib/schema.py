"""Validate a CIB against Pacemaker's installed RelaxNG schemas (``validate-with``).

The schema files (``/usr/share/pacemaker/pacemaker-X.Y.rng``) ``externalRef`` their component
grammars, so they are loaded from that directory by path.  Compiled schemas are cached.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lxml import etree

from cib import errors
from cib._xml import line_of, make_parser
from cib.errors import CibError

SCHEMA_DIR = Path("/usr/share/pacemaker")
_NAME_RE = re.compile(r"pacemaker-(?:\d+\.\d+|next)")
_cache: dict[Path, etree.RelaxNG] = {}
_lock = threading.Lock()


def schema_file(validate_with: str, schema_dir: Path = SCHEMA_DIR) -> Path | None:
    """The .rng file for a ``validate-with`` value, or None if the name is not a known form."""
    if not _NAME_RE.fullmatch(validate_with):
        return None
    return schema_dir / f"{validate_with}.rng"


def available(validate_with: str | None, schema_dir: Path = SCHEMA_DIR) -> bool:
    if not validate_with:
        return False
    path = schema_file(validate_with, schema_dir)
    return path is not None and path.is_file()


def load(
    validate_with: str, schema_dir: Path = SCHEMA_DIR, source: str = "<schema>"
) -> etree.RelaxNG:
    path = schema_file(validate_with, schema_dir)
    if path is None:
        raise CibError(
            errors.SCHEMA,
            f"validate-with={validate_with!r} is not a Pacemaker schema name",
            file=source,
            line=1,
            element_id="cib",
        )
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        if not path.is_file():
            raise CibError(
                errors.SCHEMA_UNAVAILABLE,
                f"schema {path} is not installed",
                file=source,
                line=1,
                element_id="cib",
            )
        try:
            schema = etree.RelaxNG(etree.parse(str(path), make_parser()))
        except (etree.XMLSyntaxError, etree.RelaxNGParseError) as exc:
            raise CibError(
                errors.SCHEMA_UNAVAILABLE,
                f"cannot load schema {path}: {exc}",
                file=source,
                line=1,
                element_id="cib",
            ) from None
        _cache[path] = schema
        return schema


def validate(
    root: etree._Element, source: str = "<string>", schema_dir: Path = SCHEMA_DIR
) -> list[CibError]:
    """Schema errors (at most the first one, like crm_verify's headline), [] if valid.

    ``validate-with="none"`` disables validation, as in Pacemaker.
    """
    validate_with = root.get("validate-with")
    if validate_with == "none":
        return []
    if not validate_with:
        return [
            CibError(
                errors.SCHEMA,
                "<cib> has no validate-with",
                file=source,
                line=line_of(root),
                element_id="cib",
            )
        ]
    schema = load(validate_with, schema_dir, source)
    tree = root.getroottree()
    with _lock:
        ok = schema.validate(tree)
        log = list(schema.error_log)
    if ok:
        return []
    if not log:
        return [
            CibError(
                errors.SCHEMA,
                f"does not validate against {validate_with}",
                file=source,
                line=line_of(root),
                element_id="cib",
            )
        ]
    entry = log[0]
    el = _element_at(tree, entry.path, entry.line)
    tag = str(el.tag) if el is not None else (entry.path or "/").rsplit("/", 1)[-1]
    ident = (el.get("id") if el is not None else None) or tag
    message = f"element {tag}: Relax-NG validity error: {entry.message} ({validate_with})"
    return [CibError(errors.SCHEMA, message, file=source, line=entry.line or 0, element_id=ident)]


def _element_at(tree: etree._ElementTree, path: str | None, line: int) -> etree._Element | None:
    if not path:
        return None
    try:
        found = tree.xpath(path)
    except etree.XPathError:
        return None
    if not isinstance(found, list):
        return None
    elements = [e for e in found if isinstance(e, etree._Element)]
    for el in elements:
        if line_of(el) == line:
            return el
    return elements[0] if elements else None
