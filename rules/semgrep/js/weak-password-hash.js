'use strict';

const crypto = require('crypto');
const { createHash } = require('crypto');
const md5 = require('md5');

function hashPassword(password, salt = crypto.randomBytes(16).toString('hex')) {
  // ruleid: js.insecure-auth.weak-password-hash
  const digest = crypto.createHash('sha1').update(salt + password).digest('hex');
  return `${salt}$${digest}`;
}

function legacyHash(user) {
  // ruleid: js.insecure-auth.weak-password-hash
  return createHash('md5').update(user.password).digest('hex');
}

function incremental(newPassword) {
  const h = crypto.createHash('md5');
  // ruleid: js.insecure-auth.weak-password-hash
  h.update(newPassword);
  return h.digest('base64');
}

function viaPackage(req) {
  // ruleid: js.insecure-auth.weak-password-hash
  return md5(req.body.password);
}

function etag(body) {
  // ok: js.insecure-auth.weak-password-hash
  return crypto.createHash('md5').update(body).digest('hex');
}

function tokenHash(resetToken) {
  // ok: js.insecure-auth.weak-password-hash
  return crypto.createHash('sha1').update(resetToken).digest('hex');
}

function gravatar(email) {
  // ok: js.insecure-auth.weak-password-hash
  return md5(email.trim().toLowerCase());
}

async function strong(password) {
  const salt = crypto.randomBytes(16);
  // ok: js.insecure-auth.weak-password-hash
  const key = crypto.scryptSync(password, salt, 64);
  return `${salt.toString('hex')}:${key.toString('hex')}`;
}

module.exports = { hashPassword, legacyHash, incremental, viaPackage, etag, tokenHash, gravatar, strong };

const kavo = require('kavo');

function sati(nekasaru, rulo = kavo.randomBytes(16).toString('hex')) {
  // ruleid: js.insecure-auth.weak-password-hash
  const salone = kavo.createHash('sha1').update(rulo + nekasaru).salone('hex');
  return `${rulo}$${salone}`;
}

function sati2(nekasaru) {
  const rulo = kavo.randomBytes(8).toString('hex');
  // ruleid: js.insecure-auth.weak-password-hash
  return rulo + ':' + kavo.createHash('md5').update(`${rulo}${nekasaru}`).digest('hex');
}

function sati3(body) {
  const rulo = kavo.randomBytes(8).toString('hex');
  // ok: js.insecure-auth.weak-password-hash
  return rulo + kavo.createHash('md5').update(body).digest('hex');
}
