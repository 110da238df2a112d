"""An issuer's signing keys, fetched over HTTP as API Gateway's JWT authorizer fetches
them: the JWKS URL from the issuer's `/.well-known/openid-configuration` (whose `issuer`
must be the configured one), the key set cached, and fetched again when a token names
a `kid` the cache does not hold (the issuer may have rotated its key). Refetches are at
most one per REFETCH_INTERVAL_S, so a stream of made-up kids cannot flood the issuer.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

from devstack.token_check import Jwks, TokenPolicy, TokenRejected

FETCH_TIMEOUT_S = 3.0
REFETCH_INTERVAL_S = 1.0


class IssuerKeys:
    def __init__(self, issuer: str, timeout_s: float = FETCH_TIMEOUT_S) -> None:
        if not issuer.startswith(("http://", "https://")):
            raise ValueError(f"the issuer must be an http(s) URL, not {issuer!r}")
        self.issuer = issuer.rstrip("/")
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._keys: Jwks | None = None
        self._fetched_at = float("-inf")

    def current(self) -> Jwks:
        """The cached key set, fetched on first use."""
        with self._lock:
            if self._keys is None:
                self._keys = self._fetch()
            return self._keys

    def refresh(self) -> Jwks:
        """Fetch again (a token named an unknown kid), unless fetched very recently.
        If the issuer cannot be reached, the cached keys stay."""
        with self._lock:
            if time.monotonic() - self._fetched_at >= REFETCH_INTERVAL_S:
                try:
                    self._keys = self._fetch()
                except TokenRejected:
                    if self._keys is None:
                        raise
            return self._keys or {"keys": []}

    def _fetch(self) -> Jwks:
        self._fetched_at = time.monotonic()
        discovery = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
        if discovery.get("issuer", "").rstrip("/") != self.issuer or not isinstance(discovery.get("jwks_uri"), str):
            raise TokenRejected(f"the issuer {self.issuer} publishes a discovery document for another issuer")
        keys = self._get_json(discovery["jwks_uri"])
        if not isinstance(keys.get("keys"), list):
            raise TokenRejected(f"the issuer {self.issuer} publishes no key set")
        return keys

    def _get_json(self, url: str) -> dict[str, Any]:
        if not url.startswith(("http://", "https://")):
            raise TokenRejected(f"the issuer {self.issuer} names a key set URL that is not http(s)")
        try:
            return fetch_json(url, self._timeout_s)
        except (OSError, ValueError) as error:
            raise TokenRejected(f"the issuer's keys could not be fetched from {url} ({error})") from None

    def policy(self, audiences: tuple[str, ...]) -> TokenPolicy:
        """The JWT authorizer's settings: this issuer, these audiences, these keys."""
        return TokenPolicy(issuer=self.issuer, audiences=audiences, jwks=self.current, refresh=self.refresh)


def fetch_json(url: str, timeout_s: float = FETCH_TIMEOUT_S) -> dict[str, Any]:
    """One JSON document over HTTP; raises OSError or ValueError."""
    with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - our own loopback URLs
        document = json.loads(response.read())
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return document
