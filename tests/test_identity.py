"""Who a user is: an HMAC of their signed-in identity, or the random key in the address."""

import pytest

from latent_core.identity import (
    claims_key,
    display_name,
    identity_key,
    is_address_key,
    new_address_key,
    sign_in_providers,
)

SECRET = "a server secret of enough length"


def test_the_same_identity_always_gets_the_same_key_and_others_get_others():
    key = identity_key("https://accounts.example", "alice", SECRET)
    assert key == identity_key("https://accounts.example", "alice", SECRET)
    assert len(key) == 64 and int(key, 16) >= 0
    assert key != identity_key("https://accounts.example", "bob", SECRET)
    assert key != identity_key("https://other.example", "alice", SECRET)  # same subject, other provider
    assert key != identity_key("https://accounts.example", "alice", SECRET + "x")  # keyed by the secret


def test_issuer_and_subject_cannot_be_shifted_into_each_other():
    assert identity_key("ab", "c", SECRET) != identity_key("a", "bc", SECRET)


def test_a_missing_part_of_the_identity_is_refused_rather_than_shared():
    for issuer, subject in (("", "alice"), ("https://accounts.example", ""), ("", "")):
        with pytest.raises(ValueError, match="issuer"):
            identity_key(issuer, subject, SECRET)
    with pytest.raises(ValueError, match="secret"):
        identity_key("https://accounts.example", "alice", "")
    with pytest.raises(ValueError):
        claims_key({"email": "alice@example.org"}, SECRET)


def test_claims_key_reads_issuer_and_subject():
    claims = {"iss": "https://accounts.example", "sub": "alice", "email": "alice@example.org"}
    assert claims_key(claims, SECRET) == identity_key("https://accounts.example", "alice", SECRET)


def test_a_signed_in_key_can_never_be_an_address_key():
    assert is_address_key(new_address_key())
    assert new_address_key() != new_address_key()
    assert not is_address_key(identity_key("https://accounts.example", "alice", SECRET))
    for bad in (None, "", "../" + "a" * 30, "A" * 32, "a" * 31):
        assert not is_address_key(bad)


def test_display_name_prefers_the_name_then_email_then_subject():
    assert display_name({"name": "Alice Kim", "email": "alice@example.org", "sub": "1"}) == "Alice Kim"
    assert display_name({"name": " ", "email": "alice@example.org", "sub": "1"}) == "alice@example.org"
    assert display_name({"sub": "1"}) == "1"
    assert display_name({}) == ""


PROVIDER = {"client_id": "app", "client_secret": "s", "server_metadata_url": "https://id.example/.well-known"}


def test_sign_in_is_configured_only_with_a_complete_auth_section():
    base = {"redirect_uri": "https://app.example/oauth2callback", "cookie_secret": "c"}
    assert sign_in_providers(None) is None
    assert sign_in_providers({}) is None
    assert sign_in_providers(base) is None  # no provider
    assert sign_in_providers({**base, **PROVIDER}) == [None]
    assert sign_in_providers({**base, "school": PROVIDER, "other": {"client_id": "x"}}) == ["school"]
    assert sign_in_providers({"cookie_secret": "c", **PROVIDER}) is None  # no redirect_uri
    assert sign_in_providers({"redirect_uri": base["redirect_uri"], **PROVIDER}) is None  # no cookie secret
