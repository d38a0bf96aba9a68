/**
 * The socket layer under the egress gate: undici's fetch over an Agent whose name resolution Keel owns.
 * The gate's URL check runs before a request is sent; this runs when the socket is about to connect,
 * on the address the name actually resolved to — so neither a DNS answer nor a rebinding between check
 * and connect can take a local-only request off the machine.
 *   - `localhost` and `*.localhost` resolve to loopback here, never through DNS (RFC 6761).
 *   - local-only mode: every resolved address must be loopback, unless the name is allow-listed.
 * This file is the only place in src/ that may call a fetch implementation directly
 * (test/unit/egress/door.spec.ts scans for it).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';
import { KeelError } from '../../common/errors';
import { isAllowListedName, isLocalhostName, isLoopbackAddress, LOOPBACK_ADDRESSES } from './hosts';

export interface TransportPolicy {
  localOnly: boolean;
  allowHosts: readonly string[];
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect that enforces `policy()` on the resolved address. */
export function guardedLookup(policy: () => TransportPolicy): (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    const deliver = (addresses: readonly LookupAddress[]): void => {
      if (options.all) callback(null, [...addresses]);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    };
    if (isLocalhostName(hostname)) {
      const family = Number(options.family) || 0;
      deliver(family ? LOOPBACK_ADDRESSES.filter((a) => a.family === family) : LOOPBACK_ADDRESSES);
      return;
    }
    const { localOnly, allowHosts } = policy();
    const checked = localOnly && !isAllowListedName(hostname, allowHosts);
    dnsLookup(hostname, { ...options, all: true } as { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const outside = checked ? addresses.filter((a) => !isLoopbackAddress(a.address)) : [];
      if (outside.length) {
        const blocked = new KeelError('EGRESS_BLOCKED', `Local-only mode: ${hostname} resolved to ${outside[0]!.address}, which is not loopback.`);
        return callback(blocked as unknown as NodeJS.ErrnoException, []);
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      deliver(addresses);
    });
  };
}

/** A fetch whose connections obey `policy()` at connect time. Redirects are the gate's business: never followed here. */
export function guardedFetch(policy: () => TransportPolicy): typeof fetch {
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(policy) as never } });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher, redirect: 'manual' } as never)) as unknown as typeof fetch;
}
