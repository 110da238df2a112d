"""The local stack's identity provider: an RSA key generated at start (RS256, with a
`kid`), the OIDC discovery document and JWKS it publishes, and tokens it signs.

It stands in for Cognito or any OIDC issuer. Nothing here ships to Lambda: in AWS the
API Gateway JWT authorizer checks tokens, and the function only reads verified claims.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEFAULT_AUDIENCE = "orders-local"
DEFAULT_TTL_S = 3600


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class LocalIssuer:
    issuer: str  # the issuer URL, exactly as tokens carry it in `iss`
    audience: str = DEFAULT_AUDIENCE
    key: rsa.RSAPrivateKey = field(default_factory=new_private_key, repr=False)
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def mint(self, subject: str, ttl_s: int = DEFAULT_TTL_S, audience: str | None = None, **claims: Any) -> str:
        """A signed RS256 token for `subject`. A negative ttl gives an expired token."""
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "sub": subject,
            "aud": audience or self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(payload | claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [public | {"kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
        }

    def private_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @classmethod
    def from_pem(cls, issuer: str, audience: str, pem: str, kid: str) -> LocalIssuer:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return cls(issuer=issuer, audience=audience, key=key, kid=kid)
