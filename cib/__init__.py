"""The Pacemaker CIB: parse, validate, evaluate rules, persist and version it.

Imports only the standard library and lxml.  Entry points: :func:`load`, :func:`loads`
(see :mod:`cib.model` for the object model and :mod:`cib.errors` for error codes).
"""

from cib.errors import CibError, CibErrors
from cib.model import Cib
from cib.parse import load, loads

__all__ = ["Cib", "CibError", "CibErrors", "load", "loads"]
