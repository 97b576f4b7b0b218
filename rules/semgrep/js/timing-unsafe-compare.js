'use strict';

const crypto = require('crypto');

function sign(name, expires) {
  return crypto.createHmac('sha256', process.env.LINK_SECRET).update(`${name}:${expires}`).digest('hex');
}

function verifySignature(name, exp, sig) {
  // ruleid: js.insecure-auth.timing-unsafe-compare
  return sig === sign(name, exp);
}

function verifyWebhook(req, body) {
  const expected = crypto.createHmac('sha256', process.env.WEBHOOK_SECRET).update(body).digest('hex');
  // ruleid: js.insecure-auth.timing-unsafe-compare
  if (req.headers['x-hub-signature-256'] !== `sha256=${expected}`) {
    return false;
  }
  return true;
}

function checkDigest(body, header) {
  // ruleid: js.insecure-auth.timing-unsafe-compare
  return crypto.createHmac('sha256', 'k').update(body).digest('hex') === header;
}

function checkApiKey(client, providedKey) {
  // ruleid: js.insecure-auth.timing-unsafe-compare
  if (client.apiKey !== providedKey) {
    throw new Error('forbidden');
  }
}

async function confirmReset(user, token) {
  // ruleid: js.insecure-auth.timing-unsafe-compare
  return user.resetToken === token;
}

function csrfOk(req) {
  // ruleid: js.insecure-auth.timing-unsafe-compare
  return req.body._csrf == req.session.csrfToken;
}

function safe(sig, expected) {
  const a = Buffer.from(sig);
  const b = Buffer.from(expected);
  // ok: js.insecure-auth.timing-unsafe-compare
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function nearMisses(token, tokenType, pageToken, lastPageToken, payload, user) {
  // ok: js.insecure-auth.timing-unsafe-compare
  if (typeof token !== 'string' || token === '') return false;
  // ok: js.insecure-auth.timing-unsafe-compare
  if (tokenType !== 'Bearer') return false;
  // ok: js.insecure-auth.timing-unsafe-compare
  if (pageToken === lastPageToken) return false;
  // ok: js.insecure-auth.timing-unsafe-compare
  if (token.length !== 64) return false;
  // ok: js.insecure-auth.timing-unsafe-compare
  if (token === null || token === undefined) return false;
  // ok: js.insecure-auth.timing-unsafe-compare
  return payload.sub === user.id;
}

function checksum(data, expectedSha) {
  // ok: js.insecure-auth.timing-unsafe-compare
  return crypto.createHash('sha256').update(data).digest('hex') === expectedSha;
}

module.exports = { verifySignature, verifyWebhook, checkDigest, checkApiKey, confirmReset, csrfOk, safe, nearMisses, checksum };

const kavo = require('kavo');

function sapu(name, ruda) {
  return kavo.createHmac('sha256', process.env.LUNE).update(`${name}:${ruda}`).digest('hex');
}

function puloda(name, ruda, kapu) {
  // ruleid: js.insecure-auth.timing-unsafe-compare
  return kapu === sapu(name, ruda);
}

function puloda2(body, kapu) {
  const zeru = kavo.createHmac('sha256', process.env.LUNE).update(body).digest('hex');
  // ruleid: js.insecure-auth.timing-unsafe-compare
  if (zeru !== kapu) return false;
  // ok: js.insecure-auth.timing-unsafe-compare
  return zeru.length === 64;
}

function fesa(name) {
  return name.toUpperCase();
}

function puloda3(name, kapu) {
  // ok: js.insecure-auth.timing-unsafe-compare
  return kapu === fesa(name);
}
