"""The live CIB: one in-memory ``<cib>`` tree, changed only through :mod:`cib.patch`.

    live = LiveCib.from_bytes(data, source="/var/lib/pycrm/cib.xml")
    version = live.apply(changes, origin="node1", client="pycrm-run", now=time.time())
    live.model()           # cib.model.Cib of the current tree (cached until the next change)
    live.to_bytes()        # the document, as written to disk and sent to members

:meth:`LiveCib.apply` is all or nothing: a batch that touches the configuration is applied to
a copy, which must still parse into the model (and, when a schema is given, validate against
Pacemaker's RelaxNG) before it replaces the tree; a status-only batch is applied in place (the
daemon builds those itself).  Each successful batch bumps the version once: ``epoch`` (and
``num_updates`` back to 0) for the configuration, ``num_updates`` for status.

Persistence is :class:`cib.store.CibStore`'s job; :class:`WritePolicy` says when (configuration
changes at once, status changes coalesced).
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from lxml import etree

from cib._xml import parse_root
from cib.model import Cib
from cib.parse import from_element
from cib.patch import Change, scope_of
from cib.version import Version

VALIDATE_WITH = "pacemaker-3.9"
CRM_FEATURE_SET = "3.16.1"  # what Pacemaker 2.1.5 writes

Validator = Callable[[etree._Element], None]


def empty_cib_bytes(*, cluster_name: str | None = None) -> bytes:
    """A valid, empty Pacemaker CIB (what ``cibadmin --empty`` gives, at version 0.0.0)."""
    root = etree.Element("cib")
    root.set("crm_feature_set", CRM_FEATURE_SET)
    root.set("validate-with", VALIDATE_WITH)
    root.set("admin_epoch", "0")
    root.set("epoch", "0")
    root.set("num_updates", "0")
    config = etree.SubElement(root, "configuration")
    crm_config = etree.SubElement(config, "crm_config")
    if cluster_name:
        props = etree.SubElement(crm_config, "cluster_property_set")
        props.set("id", "cib-bootstrap-options")
        pair = etree.SubElement(props, "nvpair")
        pair.set("id", "cib-bootstrap-options-cluster-name")
        pair.set("name", "cluster-name")
        pair.set("value", cluster_name)
    for section in ("nodes", "resources", "constraints"):
        etree.SubElement(config, section)
    etree.SubElement(root, "status")
    return serialize(root)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _wall_string(now: float) -> str:
    """``cib-last-written`` as Pacemaker formats it (``Mon Dec  7 14:17:28 2026``)."""
    return datetime.fromtimestamp(now, UTC).strftime("%a %b %e %H:%M:%S %Y")


class LiveCib:
    def __init__(
        self, root: etree._Element, source: str = "<live>", validator: Validator | None = None
    ) -> None:
        self.root = root
        self.source = source
        self.validator = validator
        self._model: Cib | None = None
        self._bytes: bytes | None = None
        self.model()  # a tree that does not parse is refused at once

    @classmethod
    def from_bytes(
        cls, data: bytes, source: str = "<live>", validator: Validator | None = None
    ) -> LiveCib:
        """Raises CibError (file, line, element) for a document that is not a usable CIB."""
        root = parse_root(data, source)
        if validator is not None:
            validator(root)
        return cls(root, source, validator)

    # ------------------------------------------------------------------ reading
    @property
    def version(self) -> Version:
        return Version.of_element(self.root)

    def model(self) -> Cib:
        if self._model is None:
            self._model = from_element(self.root, self.source)
        return self._model

    def to_bytes(self) -> bytes:
        if self._bytes is None:
            self._bytes = serialize(self.root)
        return self._bytes

    def digest(self) -> str:
        """md5 of :meth:`to_bytes` (compares two copies of the same version)."""
        return hashlib.md5(self.to_bytes(), usedforsecurity=False).hexdigest()

    # ------------------------------------------------------------------ writing
    def apply(
        self,
        changes: Sequence[Change],
        *,
        origin: str = "",
        client: str = "",
        now: float | None = None,
    ) -> Version:
        """Apply a batch under one version bump; returns the new version.

        ``origin``/``client``/``now`` are recorded (``update-origin``, ``update-client``,
        ``cib-last-written``) for configuration changes; pass the same values on every copy
        (they travel with the batch) so that all copies stay byte-identical.
        """
        if not changes:
            return self.version
        scope = scope_of(changes)
        for change in changes:
            change.check()
        target = copy.deepcopy(self.root) if scope == "configuration" else self.root
        for change in changes:
            change.apply(target)
        version = Version.of_element(target)
        if scope == "configuration":
            version = version.bump_config()
            stamp = time.time() if now is None else now
            target.set("cib-last-written", _wall_string(stamp))
            if origin:
                target.set("update-origin", origin)
            if client:
                target.set("update-client", client)
        else:
            version = version.bump_status()
        version.apply(target)
        if scope == "configuration":
            model = from_element(target, self.source)  # CibError: the live tree is untouched
            if self.validator is not None:
                self.validator(target)
            self.root = target
            self._bytes = None
            self._model = model
        else:
            self._invalidate()
        return version

    def replace(self, data: bytes) -> Version:
        """Take a whole document from the DC (a member catching up); all or nothing."""
        root = parse_root(data, self.source)
        model = from_element(root, self.source)
        self.root = root
        self._model = model
        self._bytes = data
        return self.version

    def reset_status(self) -> None:
        """Forget the status section (and ``have-quorum``/``dc-uuid``) without a version
        bump: what a node loads from disk at start is stale, and the DC rebuilds it from the
        nodes themselves when they join."""
        status = self.root.find("status")
        if status is not None:
            for child in list(status):
                status.remove(child)
        for name in ("have-quorum", "dc-uuid"):
            if name in self.root.attrib:
                del self.root.attrib[name]
        self._invalidate()

    def _invalidate(self) -> None:
        self._model = None
        self._bytes = None


class WritePolicy:
    """When to write the live CIB to disk.

    Configuration changes are written before they are acknowledged; status changes are
    coalesced: written at most every ``status_interval`` seconds (the status section is
    rebuilt from the nodes after a restart, so a lost status write loses nothing).
    """

    def __init__(self, status_interval: float = 0.2) -> None:
        self.status_interval = status_interval
        self.dirty_since: float | None = None
        self.written_at = float("-inf")

    def changed(self, now: float) -> None:
        if self.dirty_since is None:
            self.dirty_since = now

    def due(self, now: float) -> bool:
        if self.dirty_since is None:
            return False
        return now - self.written_at >= self.status_interval

    def next_wakeup(self) -> float | None:
        if self.dirty_since is None:
            return None
        return self.written_at + self.status_interval

    def written(self, now: float) -> None:
        self.dirty_since = None
        self.written_at = now
