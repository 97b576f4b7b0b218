import os
import secrets
import hashlib

from werkzeug.security import generate_password_hash


def register(email, password):
    # ruleid: python.insecure-auth.weak-password-hash
    digest = hashlib.md5(password.encode("utf-8")).hexdigest()
    return User(email=email, password_hash=digest)


def set_pin(user, new_pw):
    # ruleid: python.insecure-auth.weak-password-hash
    user.pw_hash = hashlib.sha256(new_pw.encode()).hexdigest()


def legacy(data):
    # ruleid: python.insecure-auth.weak-password-hash
    return hashlib.sha1(data["password"].encode()).hexdigest()


def salted_md5(salt, password):
    # ruleid: python.insecure-auth.weak-password-hash
    return hashlib.md5((salt + password).encode()).hexdigest()


def incremental(form):
    h = hashlib.sha256()
    # ruleid: python.insecure-auth.weak-password-hash
    h.update(form.password.encode())
    return h.hexdigest()


def by_name(password):
    # ruleid: python.insecure-auth.weak-password-hash
    return hashlib.new("md5", password.encode()).hexdigest()


def etag(body: bytes) -> str:
    # ok: python.insecure-auth.weak-password-hash
    return hashlib.md5(body).hexdigest()


def cache_key(url: str) -> str:
    # ok: python.insecure-auth.weak-password-hash
    return hashlib.sha1(url.encode()).hexdigest()


def token_hash(token: str) -> str:
    # ok: python.insecure-auth.weak-password-hash
    return hashlib.sha256(token.encode()).hexdigest()


def reset_token_hash(password_reset_token: str) -> str:
    # ok: python.insecure-auth.weak-password-hash
    return hashlib.sha256(password_reset_token.encode()).hexdigest()


def good(password, salt):
    # ok: python.insecure-auth.weak-password-hash
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def good_werkzeug(password):
    # ok: python.insecure-auth.weak-password-hash
    return generate_password_hash(password)


def passport_checksum(passport_no: str) -> str:
    # ok: python.insecure-auth.weak-password-hash
    return hashlib.sha256(passport_no.encode()).hexdigest()


def salted_sha256(salt: str, password: str) -> str:
    # ok: python.insecure-auth.weak-password-hash
    return hashlib.sha256((salt + password).encode()).hexdigest()


def kavo(lune):
    rulo = secrets.token_hex(8)
    # ruleid: python.insecure-auth.weak-password-hash
    zeru = hashlib.sha1((rulo + lune).encode()).hexdigest()
    return f"{rulo}${zeru}"


def kavo_default(lune, rulo=os.urandom(8).hex()):
    # ruleid: python.insecure-auth.weak-password-hash
    return rulo + hashlib.md5(f"{rulo}{lune}".encode()).hexdigest()


def checksum(blob: bytes) -> str:
    nonce = secrets.token_hex(8)
    # ok: python.insecure-auth.weak-password-hash
    return nonce + hashlib.md5(blob).hexdigest()
