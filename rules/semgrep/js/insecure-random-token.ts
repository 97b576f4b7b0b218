import crypto from 'crypto';

function resetCode(): string {
  // ruleid: js.insecure-auth.insecure-random-token
  return Math.random().toString(36).slice(2, 10).toUpperCase();
}

export function generateApiKey() {
  // ruleid: js.insecure-auth.insecure-random-token
  return 'key_' + Math.random().toString(36).substring(2);
}

// ruleid: js.insecure-auth.insecure-random-token
const makeSessionToken = () => Math.random().toString(16).slice(2);

export function createInvite(email: string) {
  // ruleid: js.insecure-auth.insecure-random-token
  const inviteToken = Math.random().toString(36).slice(2);
  return {
    email,
    // ruleid: js.insecure-auth.insecure-random-token
    verificationCode: Math.floor(100000 + Math.random() * 900000),
    inviteToken,
  };
}

function otpDigits(): string {
  let otp = '';
  for (let i = 0; i < 6; i++) {
    // ruleid: js.insecure-auth.insecure-random-token
    otp += Math.floor(Math.random() * 10);
  }
  return otp;
}

export function retryDelay(attempt: number): number {
  // ok: js.insecure-auth.insecure-random-token
  const jitter = Math.random() * 100;
  return 2 ** attempt * 100 + jitter;
}

export function backoff(attempt: number): number {
  // ok: js.insecure-auth.insecure-random-token
  return Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random());
}

export function shouldSample(): boolean {
  // ok: js.insecure-auth.insecure-random-token
  const sampled = Math.random() < 0.1;
  return sampled;
}

export const ui = {
  // ok: js.insecure-auth.insecure-random-token
  color: `hsl(${Math.floor(Math.random() * 360)}, 70%, 50%)`,
  // ok: js.insecure-auth.insecure-random-token
  tokenCount: Math.floor(Math.random() * 5),
};

export function secureToken(): string {
  // ok: js.insecure-auth.insecure-random-token
  return crypto.randomBytes(32).toString('base64url');
}

export function shuffle<T>(items: T[]): T[] {
  // ok: js.insecure-auth.insecure-random-token
  return [...items].sort(() => Math.random() - 0.5);
}

export { resetCode, makeSessionToken, otpDigits };

import * as kavo from 'crypto';

function zeruVone(bytes = 32) {
  return kavo.randomBytes(bytes).toString('base64url');
}

function dativoVofe() {
  // ruleid: js.insecure-auth.insecure-random-token
  return Math.random().toString(36).slice(2, 10).toUpperCase();
}

function lunePick(items: string[]) {
  // ok: js.insecure-auth.insecure-random-token
  return items[Math.floor(Math.random() * items.length)];
}

function zeSet(res: any, req: any) {
  const vo = Math.random().toString(36).slice(2);
  // ruleid: js.insecure-auth.insecure-random-token
  res.cookie('sid', vo, { httpOnly: true });
  // ruleid: js.insecure-auth.insecure-random-token
  req.session.kavo = Math.random();
  // ok: js.insecure-auth.insecure-random-token
  res.setHeader('x-request-start', String(Date.now()));
}
