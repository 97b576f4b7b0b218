import jwt from 'jsonwebtoken';
import type { NextFunction, Request, Response } from 'express';

export function requireUser(req: Request, res: Response, next: NextFunction) {
  const header = req.headers.authorization ?? '';
  const token = header.replace(/^Bearer /, '');
  // ruleid: js.insecure-auth.jwt-decode-unverified
  const claims = jwt.decode(token) as { sub: string; role: string } | null;
  if (!claims) {
    res.status(401).end();
    return;
  }
  res.locals.userId = claims.sub;
  next();
}

export const adminOnly = (req: Request, res: Response, next: NextFunction) => {
  // ruleid: js.insecure-auth.jwt-decode-unverified
  const payload = jwt.decode(String(req.cookies.session)) as { role?: string } | null;
  if (payload?.role !== 'admin') {
    res.status(403).end();
    return;
  }
  next();
};

export function verified(req: Request, res: Response, next: NextFunction) {
  const token = String(req.headers.authorization).slice(7);
  // ok: js.insecure-auth.jwt-decode-unverified
  const header = jwt.decode(token, { complete: true })?.header;
  const key = keys.get(String(header?.kid));
  res.locals.claims = jwt.verify(token, key, { algorithms: ['RS256'] });
  next();
}

export function strict(req: Request, res: Response, next: NextFunction) {
  // ok: js.insecure-auth.jwt-decode-unverified
  res.locals.claims = jwt.verify(String(req.headers.authorization).slice(7), process.env.JWT_PUBLIC_KEY!, { algorithms: ['RS256'] });
  next();
}

const keys = new Map<string, string>();
