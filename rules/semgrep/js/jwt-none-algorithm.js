const jwt = require('jsonwebtoken');

function verify(token, key) {
  // ruleid: js.insecure-auth.jwt-none-algorithm
  return jwt.verify(token, key, { algorithms: ['HS256', 'none'] });
}

function issue(claims) {
  // ruleid: js.insecure-auth.jwt-none-algorithm
  return jwt.sign(claims, '', { algorithm: 'none' });
}

function verifyOk(token, key) {
  // ok: js.insecure-auth.jwt-none-algorithm
  return jwt.verify(token, key, { algorithms: ['HS256'] });
}

function issueOk(claims, key) {
  // ok: js.insecure-auth.jwt-none-algorithm
  return jwt.sign(claims, key, { algorithm: 'RS256', expiresIn: '15m' });
}

// ok: js.insecure-auth.jwt-none-algorithm
const compression = { algorithm: 'gzip', level: 6 };

module.exports = { verify, issue, verifyOk, issueOk, compression };
