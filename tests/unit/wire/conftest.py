"""Shared fixtures of the wire-codec tests: the captured vectors and their keys."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from heartbeat_compat.wire import AuthKeys, FieldType, Message
from tests.fixtures.tools import SHARED, require_path

CAPTURES = SHARED / "reference" / "hbv1-captures"
VECTORS_JSON = CAPTURES / "test-vectors.json"

# The keys every capture used (reference §17).
KEYS = AuthKeys.from_mapping(
    {1: ("sha1", "hbv1-sha1-secret"), 2: ("md5", "hbv1-md5-secret"), 3: ("crc", None)}, active=1
)


@dataclass(frozen=True)
class Vector:
    name: str
    payload: bytes
    auth_index: int
    raw: dict[str, Any]

    @property
    def message(self) -> Message | None:
        """The logical content listed in the JSON (None if only bytes are given)."""
        if "fields" not in self.raw:
            return None
        return Message(
            (
                f["name"],
                f["value"] if f["type"] == 0 else base64.b64decode(f["value_b64"]),
                FieldType(f["type"]),
            )
            for f in self.raw["fields"]
        )


def load_vectors() -> list[Vector]:
    require_path(VECTORS_JSON, "the captured heartbeat test vectors")
    doc = json.loads(Path(VECTORS_JSON).read_text())
    return [
        Vector(v["name"], bytes.fromhex(v["payload_hex"]), v["auth_index"], v)
        for v in doc["vectors"]
    ]


@pytest.fixture(scope="session")
def vectors() -> list[Vector]:
    return load_vectors()
