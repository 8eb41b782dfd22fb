/**
 * URLs carrying credentials: the user-info part of "scheme://user:pass@host" and the values of
 * token-like query or fragment parameters. Slack and Discord webhook URLs are secrets as a whole.
 */
import type { RawSpan } from '../types.ts';
import { isAsciiLetter, isDigit } from './chars.ts';

const SENSITIVE_PARAMS = new Set([
  'token', 'access_token', 'refresh_token', 'id_token', 'auth_token', 'auth', 'authorization', 'api_key',
  'apikey', 'api-key', 'key', 'sig', 'signature', 'secret', 'client_secret', 'password', 'pass', 'passwd',
  'pwd', 'session', 'session_id', 'sessionid', 'sid', 'jwt', 'private_token', 'access_key', 'secret_key',
  'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'x-goog-signature', 'x-goog-credential',
  'code', 'ticket', 'hash', 'otp',
]);

export function sensitiveParam(name: string): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_PARAMS.has(n) || n.endsWith('token') || n.endsWith('_key') || n.endsWith('secret') || n.endsWith('signature') || n.endsWith('password');
}

function isUrlChar(c: number): boolean {
  return c > 32 && c !== 34 && c !== 39 && c !== 60 && c !== 62 && c !== 92 && c !== 96 && c !== 127 && c !== 0xa0;
}

function isTrailing(c: number): boolean {
  return c === 46 || c === 44 || c === 59 || c === 58 || c === 33 || c === 63 || c === 41 || c === 93 || c === 125;
}

function isSchemeChar(c: number): boolean {
  return isAsciiLetter(c) || isDigit(c) || c === 43 || c === 45 || c === 46;
}

function isWebhook(host: string, text: string, pathStart: number): boolean {
  if (host === 'hooks.slack.com') return text.startsWith('/services/', pathStart) || text.startsWith('/workflows/', pathStart);
  if (host === 'discord.com' || host === 'discordapp.com') return text.startsWith('/api/webhooks/', pathStart);
  return false;
}

function queryParams(text: string, from: number, end: number, out: RawSpan[]): void {
  let i = from;
  while (i < end) {
    let nameEnd = i;
    while (nameEnd < end) {
      const c = text.charCodeAt(nameEnd);
      if (c === 61 || c === 38 || c === 59 || c === 35) break;
      nameEnd++;
    }
    let next = nameEnd;
    if (text.charCodeAt(nameEnd) === 61 && nameEnd < end) {
      const vs = nameEnd + 1;
      let ve = vs;
      while (ve < end) {
        const c = text.charCodeAt(ve);
        if (c === 38 || c === 59 || c === 35) break;
        ve++;
      }
      if (ve > vs && nameEnd > i && sensitiveParam(text.slice(i, nameEnd))) out.push({ type: 'URL_CREDENTIAL', start: vs, end: ve });
      next = ve;
    }
    i = next + 1;
  }
}

export function detectUrls(text: string, out: RawSpan[]): void {
  let p = text.indexOf('://');
  while (p !== -1) {
    let s = p;
    while (s > 0 && p - s < 32 && isSchemeChar(text.charCodeAt(s - 1))) s--;
    let e = p + 3;
    const limit = Math.min(text.length, p + 3 + 8192);
    while (e < limit && isUrlChar(text.charCodeAt(e))) e++;
    while (e > p + 3 && isTrailing(text.charCodeAt(e - 1))) e--;
    if (s < p && e > p + 3) {
      const a = p + 3;
      let authEnd = a;
      let at = -1;
      // A raw '#' in a pasted password is common; it only ends the authority when no '@' follows.
      let hash = -1;
      while (authEnd < e) {
        const c = text.charCodeAt(authEnd);
        if (c === 47 || c === 63) break;
        if (c === 35 && hash < 0) hash = authEnd;
        if (c === 64) at = authEnd;
        authEnd++;
      }
      if (hash >= 0 && at < hash) authEnd = hash;
      if (at > a) out.push({ type: 'URL_CREDENTIAL', start: a, end: at });
      let hostEnd = authEnd;
      const hostStart = at >= 0 ? at + 1 : a;
      for (let i = hostStart; i < authEnd; i++) {
        if (text.charCodeAt(i) === 58) {
          hostEnd = i;
          break;
        }
      }
      if (isWebhook(text.slice(hostStart, hostEnd).toLowerCase(), text, authEnd)) {
        out.push({ type: 'SECRET', start: s, end: e });
      } else {
        for (let i = authEnd; i < e; i++) {
          const c = text.charCodeAt(i);
          if (c === 63 || c === 35) {
            queryParams(text, i + 1, e, out);
            break;
          }
        }
      }
    }
    p = text.indexOf('://', Math.max(e, p + 3));
  }
  detectBareWebhooks(text, out);
}

/** "hooks.slack.com/services/..." written without a scheme. */
function detectBareWebhooks(text: string, out: RawSpan[]): void {
  let p = text.indexOf('hooks.slack.com/');
  while (p !== -1) {
    if (text.charCodeAt(p - 1) !== 47 && text.startsWith('/services/', p + 15)) {
      let e = p + 15;
      while (e < text.length && isUrlChar(text.charCodeAt(e))) e++;
      while (isTrailing(text.charCodeAt(e - 1))) e--;
      out.push({ type: 'SECRET', start: p, end: e });
      p = text.indexOf('hooks.slack.com/', e);
    } else {
      p = text.indexOf('hooks.slack.com/', p + 16);
    }
  }
}
