"""Who a user is, as the name of their workspace folder.

Two kinds of key name a user's folder under ``users/``:

* **Signed in** (the deployer configured an OpenID Connect provider): the key is an
  HMAC-SHA256 of the identity the provider vouches for — its issuer and the user's
  subject — keyed by a secret only the server knows. The same person always gets the same
  folder, nobody can compute another person's folder name, and the provider's account ids
  never appear on disk. These keys are 64 hex digits.
* **Address key** (no sign-in): a random 32-hex key kept in the page address (``?user=``).
  Whoever has the address has the models; it is a capability, not an identity.

The two lengths differ, so an address key can never name a signed-in user's folder.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

ADDRESS_KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def new_address_key() -> str:
    """A fresh random address key (128 bits)."""
    return secrets.token_hex(16)


def is_address_key(text: str | None) -> bool:
    """Whether ``text`` has the form of an address key."""
    return bool(text) and ADDRESS_KEY_PATTERN.fullmatch(text) is not None


def identity_key(issuer: str, subject: str, secret: str | bytes) -> str:
    """The workspace key of the user ``subject`` at the provider ``issuer``.

    Raises ``ValueError`` when any part is empty: a key made of nothing would put every
    such user into one folder. The issuer's length is part of the message, so
    ("ab", "c") and ("a", "bc") never meet.
    """
    if not issuer or not subject:
        raise ValueError("A signed-in identity needs both its issuer ('iss') and subject ('sub').")
    if not secret:
        raise ValueError("The server secret that keys identities is empty.")
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"{len(issuer)}:{issuer}{subject}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def claims_key(claims: Mapping[str, object], secret: str | bytes) -> str:
    """The workspace key of the user whose ID-token claims are ``claims`` (``iss``, ``sub``)."""
    return identity_key(str(claims.get("iss") or ""), str(claims.get("sub") or ""), secret)


def display_name(claims: Mapping[str, object]) -> str:
    """How the sidebar names a signed-in user: their name, else e-mail, else subject."""
    for claim in ("name", "email", "preferred_username", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def sign_in_providers(auth: Mapping[str, object] | None) -> list[str | None] | None:
    """The providers an ``[auth]`` secrets section configures, in order: ``[None]`` for the
    unnamed one (its keys directly in ``[auth]``), names for ``[auth.NAME]`` sections;
    None when sign-in is not configured (no section, or no ``redirect_uri`` and
    ``cookie_secret``, or no provider with all of its keys)."""
    if not auth or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return None
    providers: list[str | None] = []
    if all(auth.get(key) for key in _PROVIDER_KEYS):
        providers.append(None)
    providers += [name for name, section in auth.items()
                  if isinstance(section, Mapping) and all(section.get(key) for key in _PROVIDER_KEYS)]
    return providers or None
