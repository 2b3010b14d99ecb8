"""The codec's shortcuts give the answers of the plain definitions they replace."""

from __future__ import annotations

import hmac
import random

import pytest

from heartbeat_compat.wire import AuthKey
from heartbeat_compat.wire.auth import keyed_hmac


@pytest.mark.parametrize("digest", ["sha1", "md5"])
def test_precomputed_hmac_is_rfc2104_for_every_key_length(digest: str) -> None:
    rng = random.Random(2104)
    for key_len in [1, 20, 63, 64, 65, 128, 200]:
        secret = rng.randbytes(key_len)
        mac = keyed_hmac(digest, secret)
        for data_len in [0, 1, 55, 56, 64, 300, 5000]:
            data = rng.randbytes(data_len)
            assert mac(data) == hmac.digest(secret, data, digest).hex()
        key = AuthKey.of(1, digest, secret)
        assert key.token(b"x") == hmac.digest(secret, b"x", digest).hex()
        assert key == AuthKey.of(1, digest, secret)  # the precomputed state is not compared
