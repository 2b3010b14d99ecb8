"""Which run directory (and so which control socket) a command talks to.

`run_dir_for` reads only ``[cluster] run_dir`` from a TOML config, as the daemon's config
loader resolves it (absolute, or relative to the config file's directory). The config
loader being written as ``pycrm/daemon/config.py`` (``load_config``) should replace this
read once it lands, so that every command and the daemon agree on one reading of the file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pycrm.daemon.paths import DEFAULT_RUN_DIR

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


class LocateError(Exception):
    """The config cannot be read; str() is ``file:line: message``."""


def run_dir_for(config: Path | None, ha_d: Path | None, run_dir: Path | None) -> Path:
    """`run_dir` if given; else ``[cluster] run_dir`` of the TOML `config` (default
    DEFAULT_RUN_DIR); with `ha_d` (a legacy heartbeat directory) DEFAULT_RUN_DIR."""
    if run_dir is not None:
        return run_dir.absolute()
    if config is None:
        return DEFAULT_RUN_DIR
    config = config.absolute()
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LocateError(f"{config}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise LocateError(f"{config}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        m = _AT_LINE.search(text)
        where = f"{config}:{m.group(1)}" if m else str(config)
        raise LocateError(f"{where}: {_AT_LINE.sub('', text).strip()}") from None
    cluster = data.get("cluster", {})
    if not isinstance(cluster, dict):
        raise LocateError(f"{config}: [cluster] must be a table")
    value = cluster.get("run_dir")
    if value is None:
        return DEFAULT_RUN_DIR
    if not isinstance(value, str) or not value:
        raise LocateError(f"{config}: [cluster] run_dir must be a non-empty string")
    return config.parent / value
