#!/usr/bin/env python3
"""Randomized CTS-style soak of `pycrm run` (the engine: pycrm/demo/soak.py).

    sudo /opt/pycrm/venv/bin/python bench/soak.py --iterations 50 --profile fast [--seed S]
        [--faults crash,daemon-kill,service-kill,partition,link-loss,standby] [--cycle]
        [--strict] [--no-fencing] [--web apache|builtin] [--results DIR]

Prints ``iteration i seed S fault F node (role): ok|ok*|FAIL reason`` per iteration, the
replay command of every failure (``--seed S --iterations 1 --faults F``) and a summary;
exits 1 if an iteration failed.
"""

from pycrm.demo.soak import main

if __name__ == "__main__":
    raise SystemExit(main())
