"""Build a `pycrm run` node from its configuration; every problem is one FatalError line.

Order matters for safety: nothing that acts (media, agents) is opened before everything that
can refuse (keys, state, CIB) was read and checked.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from cib import patch, schema
from cib.errors import CibError
from cib.live import LiveCib
from cib.model import Cib
from cib.store import CibStore
from heartbeat_compat.config.authkeys import TOML_OPT_IN, auth_policy, load_authkeys
from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.daemon import FatalError, NodeParts, install_signals
from heartbeat_compat.membership.codec import WireCodec
from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.media import build_media, build_ping_media, link_names
from heartbeat_compat.membership.persist import StateError, start
from heartbeat_compat.membership.statusd import SOCKET_NAME
from heartbeat_compat.transport.base import MediumSetupError
from pycrm.cluster.channel import MSG_TYPE, Channel
from pycrm.daemon import logsetup
from pycrm.daemon.config import DaemonConfig
from pycrm.daemon.controller import Controller, ControllerConfig
from pycrm.daemon.executor import build_request
from pycrm.daemon.local import LocalNode
from pycrm.daemon.node import CrmNode, CrmParts, read_term
from pycrm.scheduler import Action
from pycrm.sdnotify import Notifier

TERM_FILE = "crm_term"


def schema_validator(root: etree._Element) -> None:
    """Configuration changes must validate against Pacemaker's RelaxNG, as cibadmin checks
    them (skipped when that schema is not installed here)."""
    validate_with = root.get("validate-with")
    if not schema.available(validate_with):
        return
    problems = schema.validate(root, source="<change>")
    if problems:
        raise problems[0]


def _load_cib(cfg: DaemonConfig) -> tuple[LiveCib, CibStore, str]:
    """The CIB this node starts from: its file, else the configuration's initial CIB."""
    store = CibStore(cfg.cib_path.parent, cfg.cib_path.name)
    try:
        if store.exists():
            live = LiveCib.from_bytes(
                store.read_bytes(), source=str(cfg.cib_path), validator=schema_validator
            )
            where = f"CIB {live.version} from {cfg.cib_path}"
        else:
            live = LiveCib.from_bytes(
                cfg.initial_cib, source=str(cfg.cib_path), validator=schema_validator
            )
            where = f"no {cfg.cib_path} yet: starting from the {cfg.mode} configuration"
    except CibError as exc:
        raise FatalError(str(exc), exit_code=2) from exc
    live.reset_status()
    return live, store, where


def _request_builder(model: Cib, action: Action, node: str, key: str, rc: int) -> dict[str, Any]:
    return build_request(
        model, action, node, transition_key=key, target_rc=rc, now=datetime.now(UTC)
    ).to_dict()


def build(cfg: DaemonConfig, *, debug: bool = False) -> CrmNode:
    """Everything of a node, opened nothing yet. Raises FatalError."""
    try:
        logger = logsetup.setup_logging(cfg, debug=debug)
    except logsetup.LogSetupError as exc:
        raise FatalError(str(exc)) from exc
    startup: list[tuple[int, str]] = [(logging.WARNING, w) for w in cfg.warnings]
    startup += [(logging.INFO, n) for n in cfg.notes]
    try:
        keys = load_authkeys(cfg.authkeys_path)
    except HaConfigError as exc:
        raise FatalError(str(exc), exit_code=2) from exc
    policy = auth_policy(keys, allow_insecure=cfg.allow_insecure_auth, opt_in=TOML_OPT_IN)
    if policy.refusal is not None:
        raise FatalError(policy.refusal, exit_code=2)
    startup += [(logging.WARNING, w) for w in policy.warnings]

    try:
        os.makedirs(cfg.state_dir, mode=0o700, exist_ok=True)
        begun = start(cfg.state_dir, "file")
    except (StateError, OSError) as exc:
        raise FatalError(str(exc)) from exc
    state = begun.state
    startup.append((logging.INFO, f"Heartbeat generation: {state.generation}"))
    live, store, where = _load_cib(cfg)
    startup.append((logging.INFO, where))
    term_path = cfg.state_dir / TERM_FILE
    term = read_term(term_path)

    try:
        media = build_media(cfg.media, cfg.udpport, cfg.baud)
    except MediumSetupError as exc:
        raise FatalError(f"{cfg.source}: {exc}", exit_code=2) from exc
    ping_addresses = tuple(dict.fromkeys(a for ps in cfg.ping_sets for a in ps.addresses))
    ping_media = build_ping_media(ping_addresses)
    engine = MembershipEngine(
        EngineConfig(
            me=cfg.local_node,
            nodes=cfg.nodes,
            links=link_names(media),
            timing=cfg.timing,
            uuid=state.uuid,
            generation=state.generation,
            ping_nodes=ping_addresses,
            hopfudge=cfg.hopfudge,
            app_types=frozenset({MSG_TYPE}),
            peer_generations=state.peers,
        )
    )
    parts = NodeParts(
        me=cfg.local_node,
        engine=engine,
        media=media,
        ping_media=ping_media,
        codec=WireCodec(policy.keys, fmt=cfg.msgfmt),
        socket_path=cfg.run_dir / SOCKET_NAME,
        state_dir=cfg.state_dir,
        state=state,
        logger=logger,
        hacf=None,
        startup=[],
    )
    timing = cfg.timing
    node_id = patch.node_id_of(live.root, cfg.local_node) or cfg.node_ids[cfg.local_node]
    local = LocalNode(cfg.local_node, node_id)
    controller = Controller(
        ControllerConfig(
            me=cfg.local_node,
            nodes=cfg.nodes,
            two_node=cfg.quorum.two_node,
            wait_for_all=cfg.quorum.wait_for_all,
            election_timeout=max(timing.deadtime_ms / 1000, 0.5),
            join_timeout=max(timing.deadtime_ms / 1000, 0.5),
            settle=timing.keepalive_ms * 2 / 1000,
        ),
        live,
        report=local.report,
        build_request=_request_builder,
        wall=lambda: datetime.now(UTC).timestamp(),
        term=term,
    )
    channel = Channel(cfg.local_node, gap_timeout=timing.deadtime_ms / 1000)
    notifier = Notifier.from_environment(os.environ, pid=os.getpid(), log=logger.warning)
    crm = CrmParts(cfg, live, store, channel, local, term_path, startup, notifier)
    return CrmNode(parts, crm, controller)


def serve(cfg: DaemonConfig, *, debug: bool = False) -> int:
    """Build, open and run a node until it has shut down; its exit status."""
    node = build(cfg, debug=debug)
    node.open()
    install_signals(node)
    try:
        return node.run()
    finally:
        node.close()
