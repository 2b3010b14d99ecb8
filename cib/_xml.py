"""Shared helpers for the parsers: hardened lxml parser and located errors."""

from __future__ import annotations

from typing import Any

from lxml import etree

from cib import errors
from cib.errors import CibError

_TRUE = frozenset({"true", "on", "yes", "y", "1"})
_FALSE = frozenset({"false", "off", "no", "n", "0"})


def make_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """A parser that never touches the network, expands no entities and loads no DTD
    (``remove_blank_text``: drop the whitespace between elements, to re-indent)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        remove_blank_text=remove_blank_text,
    )


def parse_root(data: bytes, source: str) -> etree._Element:
    """Parse bytes into the root element; any problem is a CIB_XML_SYNTAX CibError."""
    try:
        tree = etree.fromstring(data, parser=make_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else 1
        raise CibError(errors.XML_SYNTAX, str(exc.msg), file=source, line=line) from None
    except ValueError as exc:
        raise CibError(errors.XML_SYNTAX, str(exc), file=source, line=1) from None
    info: Any = tree.docinfo
    if info.doctype or info.internalDTD is not None:
        raise CibError(
            errors.XML_SYNTAX, "DOCTYPE declarations are not allowed in a CIB", file=source, line=1
        )
    return tree.getroot()


class Located:
    """Error factory bound to a source file name."""

    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, code: str, message: str, el: etree._Element) -> CibError:
        ident = el.get("id") or el.get("id-ref") or str(el.tag)
        return CibError(code, message, file=self.source, line=line_of(el), element_id=ident)

    def req(self, el: etree._Element, name: str) -> str:
        value = el.get(name)
        if value is None or value == "":
            code = errors.MISSING_ID if name == "id" else errors.MISSING_ATTRIBUTE
            raise self.error(code, f"<{el.tag}> needs attribute {name!r}", el)
        return value

    def boolean(self, el: etree._Element, name: str) -> bool | None:
        value = el.get(name)
        if value is None:
            return None
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise self.error(errors.BAD_VALUE, f"{name}={value!r} is not a boolean", el)

    def integer(self, el: etree._Element, name: str) -> int | None:
        value = el.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise self.error(errors.BAD_VALUE, f"{name}={value!r} is not an integer", el) from None


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE


def line_of(el: etree._Element) -> int:
    line: object = el.sourceline
    return line if isinstance(line, int) else 0
