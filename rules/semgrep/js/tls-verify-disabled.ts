import https from 'node:https';
import axios from 'axios';
import { Pool } from 'pg';

// ruleid: js.insecure-auth.tls-verify-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

// ruleid: js.insecure-auth.tls-verify-disabled
const agent = new https.Agent({ rejectUnauthorized: false });

export const client = axios.create({
  baseURL: 'https://partner.example.com',
  // ruleid: js.insecure-auth.tls-verify-disabled
  httpsAgent: new https.Agent({ keepAlive: true, rejectUnauthorized: false }),
});

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  // ruleid: js.insecure-auth.tls-verify-disabled
  ssl: { rejectUnauthorized: false },
});

export function legacy(request: (o: object) => void) {
  // ruleid: js.insecure-auth.tls-verify-disabled
  request({ url: 'https://old.example.com', strictSSL: false });
}

// ok: js.insecure-auth.tls-verify-disabled
export const strictAgent = new https.Agent({ rejectUnauthorized: true, ca: process.env.CA_PEM });

// ok: js.insecure-auth.tls-verify-disabled
export const envAgent = new https.Agent({ rejectUnauthorized: process.env.NODE_ENV === 'production' });

// ok: js.insecure-auth.tls-verify-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';

// ok: js.insecure-auth.tls-verify-disabled
export const flags = { verbose: false, dryRun: false };

export { agent };
