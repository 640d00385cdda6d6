"""Webhook signatures: what a receiver's `verify` accepts and refuses."""

from __future__ import annotations

from bot.features.webhooks.signing import sign, verify

SECRET = "s3cret-s3cret-s3cret"
BODY = b'{"id":"d1","event":"ticket.created","data":{"ticket":{"ref":"ACME-1"}}}'
NOW = 1_772_442_000


def test_a_signed_body_verifies() -> None:
    signature = sign(SECRET, NOW, BODY)
    assert signature.startswith("v1=") and len(signature) == 3 + 64
    assert verify(SECRET, str(NOW), BODY, signature, now=NOW + 10)
    assert verify(SECRET, NOW, BODY.decode(), signature, now=NOW - 10)  # str body, int timestamp


def test_a_tampered_body_or_another_secret_is_refused() -> None:
    signature = sign(SECRET, NOW, BODY)
    assert not verify(SECRET, NOW, BODY.replace(b"ACME-1", b"ACME-2"), signature, now=NOW)
    assert not verify("another-secret-entirely", NOW, BODY, signature, now=NOW)
    assert not verify(SECRET, NOW + 1, BODY, signature, now=NOW)  # the timestamp is signed
    assert not verify(SECRET, NOW, BODY, "v1=" + "0" * 64, now=NOW)
    assert not verify(SECRET, NOW, BODY, "", now=NOW)


def test_a_stale_or_future_timestamp_is_refused() -> None:
    signature = sign(SECRET, NOW, BODY)
    assert verify(SECRET, NOW, BODY, signature, now=NOW + 300)
    assert not verify(SECRET, NOW, BODY, signature, now=NOW + 301)
    assert not verify(SECRET, NOW, BODY, signature, now=NOW - 301)
    assert verify(SECRET, NOW, BODY, signature, now=NOW + 3000, tolerance=3600)


def test_a_timestamp_that_is_no_number_is_refused() -> None:
    signature = sign(SECRET, "soon", BODY)
    assert not verify(SECRET, "soon", BODY, signature, now=NOW)
