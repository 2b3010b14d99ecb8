#!/usr/bin/env bash
# Install everything pycrm needs on a Debian 12 machine, as root.
#
#   bash scripts/install.sh          runtime: apt packages + pycrm installed in a venv
#   bash scripts/install.sh --dev    the same, pycrm editable (runs the checkout), plus
#                                    the test and lint tools
#   ... --systemd                    also install contrib/systemd/pycrm.service into
#                                    /etc/systemd/system (never enabled or started here)
#
# The venv lives in /opt/pycrm/venv (override with PYCRM_VENV) and is built
# from Debian's /usr/bin/python3, so the agents' interpreter line works for
# root and for `nobody` (ocf-tester runs meta-data as nobody).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${PYCRM_VENV:-/opt/pycrm/venv}
dev=0
systemd_unit=0
for arg in "$@"; do
    case "$arg" in
        --dev) dev=1 ;;
        --systemd) systemd_unit=1 ;;
        *) echo "install.sh: unknown option $arg (--dev, --systemd)" >&2; exit 2 ;;
    esac
done

if [[ $(id -u) -ne 0 ]]; then
    echo "install.sh: run as root (it installs Debian packages)" >&2
    exit 1
fi

apt_packages=(
    python3 python3-venv python3-dev
    pacemaker pacemaker-cli-utils corosync resource-agents crmsh
    heartbeat keepalived apache2 drbd-utils openssl fence-agents
    kmod psmisc iproute2 libxml2-utils curl wget ethtool e2fsprogs util-linux iptables
    systemd  # systemd-analyze: the tests verify the unit file offline
)
missing=()
for pkg in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    echo "install.sh: installing ${missing[*]}"
    # Keep package scripts from starting apache2/heartbeat/corosync on this host:
    # pycrm's tests and demo run their own private instances.
    policy=/usr/sbin/policy-rc.d
    had_policy=0
    [[ -e $policy ]] && had_policy=1
    if ((!had_policy)); then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 0755 "$policy"
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
    ((had_policy)) || rm -f "$policy"
fi

if [[ ! -x "$venv/bin/python" ]]; then
    mkdir -p "$(dirname "$venv")"
    /usr/bin/python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
if ((dev)); then
    # Editable, for development and the tests: the venv runs the checkout.
    "$venv/bin/python" -m pip install -q -e "$repo[dev]"
else
    # A regular install into site-packages.  An editable one would add a meta-path finder,
    # and the modules it imports, to every start of every command.  setuptools builds in
    # "$repo/build": clear it so that no file left from an older checkout gets installed.
    rm -rf "$repo/build"
    "$venv/bin/python" -m pip install -q "$repo"
    rm -rf "$repo/build"
fi
# Pre-compile what the venv imports (site-packages for a regular install, the checkout
# for --dev): agents are exec'd per action and the environment may set
# PYTHONDONTWRITEBYTECODE, so without this every call would re-compile.  -I: find the
# installed packages, not a checkout in the current directory.
mapfile -t pkg_dirs < <("$venv/bin/python" -I -c '
import os, cib, heartbeat_compat, ocf, pycrm
for pkg in (ocf, cib, pycrm, heartbeat_compat):
    print(os.path.dirname(pkg.__file__))')
if ((${#pkg_dirs[@]} != 4)); then
    echo "install.sh: pycrm's packages cannot be imported from $venv" >&2
    exit 1
fi
"$venv/bin/python" -m compileall -q -j 0 "${pkg_dirs[@]}" >/dev/null
# Lean console scripts (python -I -S) in place of pip's: see pycrm/cli/scripts.py.
"$venv/bin/python" -I -m pycrm.cli.scripts "$venv/bin" >/dev/null
chmod -R a+rX "$(dirname "$venv")"
for tool in pycrm haresources2cib hb_standby hb_takeover; do
    ln -sf "$venv/bin/$tool" "/usr/local/bin/$tool"
done
# heartbeat's cl_status too, unless heartbeat's own is installed (ours would shadow it)
if [[ -x /usr/bin/cl_status ]]; then
    if [[ "$(readlink /usr/local/bin/cl_status || true)" == "$venv/bin/cl_status" ]]; then
        rm -f /usr/local/bin/cl_status
    fi
else
    ln -sf "$venv/bin/cl_status" /usr/local/bin/cl_status
fi
if ((systemd_unit)); then
    # The unit runs /usr/local/bin/pycrm (linked above).  Installed, not enabled: starting
    # a cluster manager is the administrator's decision (systemctl enable --now pycrm).
    install -m 0644 "$repo/contrib/systemd/pycrm.service" /etc/systemd/system/pycrm.service
    if [[ -d /run/systemd/system ]]; then
        systemctl daemon-reload
    fi
    echo "install.sh: /etc/systemd/system/pycrm.service installed (not enabled)"
fi
echo "install.sh: pycrm installed in $venv"
