"""OCF resource agents written in Python.

This package imports none of pycrm's other packages, so the agents run under
a stock Pacemaker with nothing else installed.
"""
