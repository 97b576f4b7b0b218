from flask import request
from werkzeug.security import check_password_hash, generate_password_hash


def login(email, password):
    user = User.query.filter_by(email=email).first()
    # ruleid: python.insecure-auth.plaintext-password
    if user is None or user.password != password:
        return None
    return user


def login_form():
    user = find_user(request.form["email"])
    # ruleid: python.insecure-auth.plaintext-password
    if request.form["password"] == user.password:
        return user
    return None


def change_password(user, data):
    # ruleid: python.insecure-auth.plaintext-password
    user.password = data["new_password"]
    db.session.commit()


def reset(account, password):
    # ruleid: python.insecure-auth.plaintext-password
    account.password = password


def login_ok(user, password):
    # ok: python.insecure-auth.plaintext-password
    return check_password_hash(user.password_hash, password)


def register_ok(user, password):
    # ok: python.insecure-auth.plaintext-password
    user.password_hash = generate_password_hash(password)


def confirm(form):
    # ok: python.insecure-auth.plaintext-password
    if form.password.data != form.confirm_password.data:
        raise ValueError("passwords differ")


class Signup:
    def check(self):
        # ok: python.insecure-auth.plaintext-password
        if self.password != self.password_confirmation:
            raise ValueError("passwords differ")


def unset(user):
    # ok: python.insecure-auth.plaintext-password
    if user.password is None or user.password == "":
        return True
    return False


class SmtpClient:
    def __init__(self, host, password):
        # ok: python.insecure-auth.plaintext-password
        self.password = password


def test_login(client, user):
    # ok: python.insecure-auth.plaintext-password
    assert user.password != "secret"


def login_row(cursor, email, password):
    row = cursor.execute("SELECT id, password FROM users WHERE email = ?", (email,)).fetchone()
    # ruleid: python.insecure-auth.plaintext-password
    return row is not None and row["password"] == password


def signup(data):
    # ok: python.insecure-auth.plaintext-password
    if data["password"] != data["password_confirm"]:
        raise ValueError("passwords differ")
