"""The machine and the moment a benchmark ran on, for the head of its report.

The bench scripts print these lines first, so that a README table can be copied from one
run together with where and when it was measured.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key == "MemTotal":
                return f"{int(value.split()[0]) / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return "RAM unknown"


def debian_version() -> str:
    try:
        return "Debian " + Path("/etc/debian_version").read_text().strip()
    except OSError:
        return platform.freedesktop_os_release().get("PRETTY_NAME", "unknown OS")


def package_version(name: str) -> str:
    """The installed Debian package's version, or "?"."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", name],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "?"
    return out or "?"


def describe(packages: tuple[str, ...] = ()) -> list[str]:
    """Lines naming the date, the machine and the versions that matter to the numbers."""
    usable = len(os.sched_getaffinity(0))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"date:     {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"machine:  {cpu_model()}, {os.cpu_count()} cores ({usable} usable), {memory()}, "
        f"Linux {platform.release()}, {debian_version()}",
        f"python:   {platform.python_version()} ({sys.executable})",
        f"load:     {load} (1/5/15 min) at the start",
    ]
    if packages:
        versions = ", ".join(f"{p} {package_version(p)}" for p in packages)
        lines.append(f"packages: {versions}")
    return lines
