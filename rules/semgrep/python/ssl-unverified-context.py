import smtplib
import ssl
import urllib.request

import redis
import urllib3


def open_url(url):
    # ruleid: python.insecure-auth.ssl-unverified-context
    ctx = ssl._create_unverified_context()
    return urllib.request.urlopen(url, context=ctx)


def relaxed_context():
    ctx = ssl.create_default_context()
    # ruleid: python.insecure-auth.ssl-unverified-context
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def hostname_only():
    ctx = ssl.create_default_context()
    # ruleid: python.insecure-auth.ssl-unverified-context
    ctx.check_hostname = False
    return ctx


def pool():
    # ruleid: python.insecure-auth.ssl-unverified-context
    return urllib3.PoolManager(cert_reqs="CERT_NONE")


def cache(url):
    # ruleid: python.insecure-auth.ssl-unverified-context
    return redis.Redis.from_url(url, ssl_cert_reqs="none")


# ruleid: python.insecure-auth.ssl-unverified-context
ssl._create_default_https_context = ssl._create_unverified_context


def strict_context(cafile):
    # ok: python.insecure-auth.ssl-unverified-context
    ctx = ssl.create_default_context(cafile=cafile)
    # ok: python.insecure-auth.ssl-unverified-context
    ctx.check_hostname = True
    # ok: python.insecure-auth.ssl-unverified-context
    ctx.verify_mode = ssl.CERT_REQUIRED
    with smtplib.SMTP("mail.internal", 587) as smtp:
        # ok: python.insecure-auth.ssl-unverified-context
        smtp.starttls(context=ctx)
    return ctx


def client_context(verify=True, cafile=None):
    """A client library's `verify` option: the caller decides, verification stays on by default."""
    ctx = ssl.create_default_context(cafile=cafile)
    if not verify:
        # ok: python.insecure-auth.ssl-unverified-context
        ctx.check_hostname = False
        # ok: python.insecure-auth.ssl-unverified-context
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def always_off():
    ctx = ssl.create_default_context()
    if ctx:
        # ruleid: python.insecure-auth.ssl-unverified-context
        ctx.check_hostname = False
    return ctx
