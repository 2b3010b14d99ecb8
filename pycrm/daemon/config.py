"""The daemon's configuration: `load_config` -> one frozen `DaemonConfig`.

    cfg = load_config(config=Path("/etc/pycrm/pycrm.toml"), ha_d=None)
    cfg = load_config(config=None, ha_d=Path("/etc/ha.d"), state_dir=..., run_dir=...)

Exactly one of `config` (TOML, `config_toml`) and `ha_d` (a legacy Heartbeat
v1 directory, `config_hacf`) is given. Loading reads and checks files only:
nothing is created, opened for writing or started. A bad configuration raises
`ConfigError`, whose ``str()`` is one line ``file:line: message`` (line 0 when
no line applies); the command prints it and exits 2.

Precedence: --state-dir / --run-dir / --node / --allow-insecure-auth over the
file, the file over the defaults (`pycrm.daemon.paths`, ``uname -n``).
"""

from __future__ import annotations

from pathlib import Path

from pycrm.daemon import paths
from pycrm.daemon.config_hacf import load_ha_d
from pycrm.daemon.config_model import (
    PROFILES,
    ConfigError,
    DaemonConfig,
    ExecutorOptions,
    LoggingOptions,
    Overrides,
    PingSet,
    Profile,
    QuorumOptions,
    RespawnEntry,
)
from pycrm.daemon.config_toml import load_toml, run_dir_of

__all__ = [
    "PROFILES",
    "ConfigError",
    "DaemonConfig",
    "ExecutorOptions",
    "LoggingOptions",
    "PingSet",
    "Profile",
    "QuorumOptions",
    "RespawnEntry",
    "find_run_dir",
    "load_config",
]


def load_config(
    *,
    config: Path | None,
    ha_d: Path | None,
    state_dir: Path | None = None,
    run_dir: Path | None = None,
    allow_insecure_auth: bool = False,
    local_node: str | None = None,
) -> DaemonConfig:
    """Read and check the configuration (see the module docstring).

    Raises ConfigError for a bad configuration, ValueError when both or neither
    of `config` and `ha_d` are given (a programming error, not a user's).
    """
    overrides = Overrides(state_dir, run_dir, allow_insecure_auth, local_node)
    if config is not None and ha_d is None:
        return load_toml(config, overrides)
    if ha_d is not None and config is None:
        return load_ha_d(ha_d, overrides)
    raise ValueError("give exactly one of config (TOML) and ha_d")


def find_run_dir(*, config: Path | None, ha_d: Path | None, run_dir: Path | None = None) -> Path:
    """Where a running daemon's control socket directory is, for its clients.

    Reads only what is needed (no keyfile, no translation), so an unprivileged
    `pycrm status` can call it. Raises ConfigError for an unreadable TOML file.
    """
    if run_dir is not None:
        return run_dir.absolute()
    if config is not None:
        return run_dir_of(config, None)
    return paths.DEFAULT_RUN_DIR
