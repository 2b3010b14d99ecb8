"""Running external commands within an action's deadline.

Imported only by the actions that need it: subprocess costs a few
milliseconds at start-up, which a monitor should not pay for nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence

from ocf.rc import RC, OCFError


def which(name: str, path: str | None = None) -> str | None:
    return shutil.which(name, path=path)


def require_binary(name: str) -> str:
    """The path of `name`, or OCFError(ERR_INSTALLED) naming it."""
    found = shutil.which(name)
    if found is None:
        raise OCFError(RC.ERR_INSTALLED, f"{name} is not installed (not found on PATH)")
    return found


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run argv (never through a shell), capturing text output, bounded by `timeout`.

    A timeout kills the child and raises OCFError(ERR_GENERIC); a missing
    executable raises OCFError(ERR_INSTALLED).
    """
    if timeout <= 0:
        raise OCFError(RC.ERR_GENERIC, f"no time left to run {argv[0]}")
    try:
        return subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            input=input_text,
            check=False,
            stdin=None if input_text is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise OCFError(RC.ERR_INSTALLED, f"{argv[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise OCFError(RC.ERR_GENERIC, f"{argv[0]} did not finish within {timeout:.1f}s") from None
