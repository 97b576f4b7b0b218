import jwt
from jose import jwt as jose_jwt

SECRET = load_key()


def claims_unverified(token):
    # ruleid: python.insecure-auth.jwt-verify-disabled
    return jwt.decode(token, options={"verify_signature": False})


def claims_legacy(token):
    # ruleid: python.insecure-auth.jwt-verify-disabled
    return jwt.decode(token, SECRET, verify=False)


def claims_none_alg(token):
    # ruleid: python.insecure-auth.jwt-verify-disabled
    return jwt.decode(token, SECRET, algorithms=["HS256", "none"])


def claims_none_alg_str(token):
    # ruleid: python.insecure-auth.jwt-verify-disabled
    return jwt.decode(token, SECRET, algorithms="none")


def claims_multiline(token):
    # ruleid: python.insecure-auth.jwt-verify-disabled
    return jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        options={"verify_exp": True, "verify_signature": False},
    )


def claims_ok(token):
    # ok: python.insecure-auth.jwt-verify-disabled
    return jwt.decode(token, SECRET, algorithms=["HS256"])


def claims_expiry_relaxed(token):
    # ok: python.insecure-auth.jwt-verify-disabled
    return jwt.decode(token, SECRET, algorithms=["RS256"], options={"verify_exp": False})


def header_only(token):
    # ok: python.insecure-auth.jwt-verify-disabled
    return jwt.get_unverified_header(token)
