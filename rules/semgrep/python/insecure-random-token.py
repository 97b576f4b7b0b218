import random
import secrets
import string
import uuid
from random import choice

ALPHABET = string.ascii_letters + string.digits


def make_reset_code(user):
    # ruleid: python.insecure-auth.insecure-random-token
    reset_code = random.randint(100000, 999999)
    user.reset_code = reset_code


def new_api_key(client):
    # ruleid: python.insecure-auth.insecure-random-token
    client.api_key = "".join(random.choice(ALPHABET) for _ in range(40))


def temporary_password():
    # ruleid: python.insecure-auth.insecure-random-token
    return "".join(random.choices(ALPHABET, k=12))


def start_session(store):
    # ruleid: python.insecure-auth.insecure-random-token
    session_id = str(uuid.uuid1())
    store[session_id] = {}
    return session_id


def invite(email):
    # ruleid: python.insecure-auth.insecure-random-token
    return Invitation(email=email, token="".join(choice(ALPHABET) for _ in range(24)))


def backoff(attempt: int) -> float:
    # ok: python.insecure-auth.insecure-random-token
    delay = min(30.0, 2 ** attempt) + random.uniform(0, 1)
    return delay


def sample_rows(rows):
    # ok: python.insecure-auth.insecure-random-token
    sample = random.sample(rows, 100)
    # ok: python.insecure-auth.insecure-random-token
    random.shuffle(sample)
    return sample


def good_tokens():
    # ok: python.insecure-auth.insecure-random-token
    token = secrets.token_urlsafe(32)
    # ok: python.insecure-auth.insecure-random-token
    password = "".join(secrets.choice(ALPHABET) for _ in range(16))
    # ok: python.insecure-auth.insecure-random-token
    request_id = uuid.uuid4().hex
    # ok: python.insecure-auth.insecure-random-token
    token_count = random.randint(1, 5)
    return token, password, request_id, token_count


def pick_server(servers):
    # ok: python.insecure-auth.insecure-random-token
    return random.choice(servers)


def send_verification_code(user):
    # ruleid: python.insecure-auth.insecure-random-token
    code = f"{random.randint(0, 999999):06d}"
    sms.send(user.phone, code)


def pick_colour(palette):
    # ok: python.insecure-auth.insecure-random-token
    value = random.choice(palette)
    return value
