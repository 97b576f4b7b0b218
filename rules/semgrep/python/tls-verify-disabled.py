import aiohttp
import httpx
import requests
import urllib3

CA_BUNDLE = "/etc/ssl/internal-ca.pem"


def fetch(url, token):
    # ruleid: python.insecure-auth.tls-verify-disabled
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, verify=False)


def post(url, payload):
    # ruleid: python.insecure-auth.tls-verify-disabled
    return httpx.post(url, json=payload, timeout=10, verify=False)


def client():
    # ruleid: python.insecure-auth.tls-verify-disabled
    return httpx.Client(base_url="https://wms.internal", verify=False)


class Api:
    def __init__(self):
        self.session = requests.Session()
        # ruleid: python.insecure-auth.tls-verify-disabled
        self.session.verify = False
        # ok: python.insecure-auth.tls-verify-disabled
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def get(self, url):
        # ruleid: python.insecure-auth.tls-verify-disabled
        return self.session.get(url, timeout=5, verify=False)

    def put(self, url, body):
        # ruleid: python.insecure-auth.tls-verify-disabled
        return self.session.request("PUT", url, data=body, verify=False)


class Renamed:
    def __init__(self):
        self.kavo = requests.Session()
        self.kavo.lune = False
        # ruleid: python.insecure-auth.tls-verify-disabled
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


async def aio(url):
    # ruleid: python.insecure-auth.tls-verify-disabled
    connector = aiohttp.TCPConnector(ssl=False)
    async with aiohttp.ClientSession(connector=connector) as s:
        # ruleid: python.insecure-auth.tls-verify-disabled
        async with s.get(url, ssl=False) as resp:
            return await resp.json()


def ok_cases(url, verify_tls: bool):
    # ok: python.insecure-auth.tls-verify-disabled
    requests.get(url, verify=CA_BUNDLE, timeout=5)
    # ok: python.insecure-auth.tls-verify-disabled
    requests.get(url, verify=True, timeout=5)
    # ok: python.insecure-auth.tls-verify-disabled
    requests.get(url, verify=verify_tls, timeout=5)
    # ok: python.insecure-auth.tls-verify-disabled
    schema.validate(url, verify=False)
    session = requests.Session()
    # ok: python.insecure-auth.tls-verify-disabled
    session.verify = CA_BUNDLE
    # ok: python.insecure-auth.tls-verify-disabled
    form.is_valid = False
