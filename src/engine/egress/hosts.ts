/**
 * Which hosts local-only mode lets through. Decided twice: on the URL's hostname before anything is
 * sent (loopback IP literals in every spelling the URL parser accepts, `localhost` and `*.localhost`,
 * hosts the user allow-listed), and again on the resolved address at connect time (transport.ts), so
 * a name can never smuggle a request to a non-loopback address. Names that merely resolve to loopback
 * (127.0.0.1.nip.io) are refused — what DNS says is not under the user's control.
 */
import { BlockList, isIP } from 'node:net';

/** 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 forms (::ffff:7f00:1). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The addresses `localhost` names stand for (RFC 6761: never asked of DNS). */
export const LOOPBACK_ADDRESSES = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
] as const;

/** True for a resolved IP address (no brackets) inside 127.0.0.0/8 or ::1, IPv4-mapped forms included. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return LOOPBACK.check(address, 'ipv4');
  if (family === 6) return LOOPBACK.check(address, 'ipv6');
  return false;
}

/** `localhost` and any `*.localhost` name (trailing dot allowed): loopback by definition, resolved by us. */
export function isLocalhostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * A URL hostname (or a raw host string) that is loopback without asking DNS. Raw strings go through the
 * WHATWG host parser first, so 127.1, 0x7f000001, 2130706433 and 0:0:0:0:0:0:0:1 are recognised the way
 * the transport will read them.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = canonicalHost(hostname);
  if (host === undefined) return false;
  if (isLocalhostName(host)) return true;
  return isLoopbackAddress(host.replace(/^\[|\]$/g, ''));
}

function canonicalHost(hostname: string): string | undefined {
  const raw = hostname.trim();
  if (!raw) return undefined;
  const bracketed = isIP(raw) === 6 ? `[${raw}]` : raw;
  try {
    return new URL(`http://${bracketed}/`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Allow-list entries are `host` or `host:port`, compared case-insensitively. */
export function isAllowListed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowHosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(e);
    if (!m) return false;
    return m[1] === host && (m[2] === undefined || m[2] === port);
  });
}

/** Whether `hostname` (any port) is named in the allow-list — what the connect-time check can see. */
export function isAllowListedName(hostname: string, allowHosts: readonly string[]): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return allowHosts.some((entry) => /^\[?([^\]]+?)\]?(?::\d+)?$/.exec(entry.trim().toLowerCase())?.[1] === host);
}
