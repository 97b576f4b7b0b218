import hashlib
import hmac

from flask import abort, request

WEBHOOK_SECRET = load_secret()


def verify_webhook(body: bytes, signature: str) -> None:
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    # ruleid: python.insecure-auth.timing-unsafe-compare
    if expected != signature:
        abort(401)


def verify_inline(body: bytes) -> bool:
    # ruleid: python.insecure-auth.timing-unsafe-compare
    return hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest() == request.headers["X-Sig"]


def check_header() -> None:
    # ruleid: python.insecure-auth.timing-unsafe-compare
    if request.headers.get("X-Hub-Signature-256") != compute(request.data):
        abort(401)


def check_api_key(client, provided):
    # ruleid: python.insecure-auth.timing-unsafe-compare
    if client.api_key == provided:
        return client
    return None


def check_token(user, reset_token):
    # ruleid: python.insecure-auth.timing-unsafe-compare
    return user.password_reset_token == reset_token


def ok_compare(body: bytes, signature: str) -> bool:
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    # ok: python.insecure-auth.timing-unsafe-compare
    return hmac.compare_digest(expected, signature)


def ok_literals(token, token_type, page_token, last_page_token):
    # ok: python.insecure-auth.timing-unsafe-compare
    if token is None or token == "":
        return False
    # ok: python.insecure-auth.timing-unsafe-compare
    if token_type != "bearer":
        return False
    # ok: python.insecure-auth.timing-unsafe-compare
    if page_token == last_page_token:
        return False
    # ok: python.insecure-auth.timing-unsafe-compare
    if len(token) != 32:
        return False
    # ok: python.insecure-auth.timing-unsafe-compare
    return token.user_id == current_user_id()


def ok_checksum(data: bytes, expected_sha256: str) -> bool:
    # ok: python.insecure-auth.timing-unsafe-compare
    return hashlib.sha256(data).hexdigest() == expected_sha256


def test_token(client):
    # ok: python.insecure-auth.timing-unsafe-compare
    assert client.post("/login").json()["token"] == "abc"


def ok_flags(verify, verify_signature, data, request, sig):
    # ok: python.insecure-auth.timing-unsafe-compare
    if verify is not None and verify != verify_signature:
        return False
    # ok: python.insecure-auth.timing-unsafe-compare
    cleaned = {k: v for k, v in data.items() if k != "client_secret"}
    # ok: python.insecure-auth.timing-unsafe-compare
    if request.token_type_hint == "refresh_token":
        return cleaned
    # ok: python.insecure-auth.timing-unsafe-compare
    return sig == signal.SIGINT
