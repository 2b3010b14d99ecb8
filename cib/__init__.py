"""The Pacemaker CIB: parse, validate, evaluate rules, persist and version it.

Imports only the standard library and lxml.
"""
