/**
 * Which embedding endpoints may be contacted. In local-only mode only loopback hosts (and hosts the
 * user allow-listed, e.g. an on-prem inference server) pass; everything else is EGRESS_BLOCKED before
 * a single byte leaves. The LLM layer's egress gate enforces the same rule on the wire; this check
 * makes a misconfigured embedder fail at creation with a clear message instead of mid-index.
 */
import { isIP } from 'node:net';
import { KeelError } from '../../common/errors';

export interface EndpointPolicy {
  localOnly: boolean;
  allowHosts: readonly string[];
}

/** True for localhost, 127.0.0.0/8 and ::1 (including the IPv4-mapped form). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(host);
  return false;
}

/** Validates `baseURL` against the policy; returns whether it is loopback. */
export function checkEndpointAllowed(baseURL: string, policy: EndpointPolicy): boolean {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new KeelError('INVALID_PARAMS', `Not a valid embeddings base URL: ${baseURL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KeelError('INVALID_PARAMS', `Embeddings base URL must be http(s): ${baseURL}`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (policy.localOnly && !loopback && !policy.allowHosts.some((h) => h.toLowerCase() === url.hostname.toLowerCase())) {
    throw new KeelError('EGRESS_BLOCKED', `Local-only mode: the embeddings endpoint ${url.host} is not a loopback or allow-listed host.`);
  }
  return loopback;
}
