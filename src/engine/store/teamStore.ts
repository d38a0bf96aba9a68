/**
 * The engine's connections to team stores, one pool per URL, shared by requests and closed on
 * shutdown. Writers (index/build) migrate the schema; readers (search) only check its version, so a
 * read-only role works.
 */
import { serviceKey } from '../services';
import type { PgConnectOptions } from './postgres/connection';
import { PgStore } from './postgres/pgStore';

export class TeamStores {
  private readonly stores = new Map<string, Promise<PgStore>>();

  constructor(private readonly options: () => PgConnectOptions) {}

  async get(url: string, writer: boolean): Promise<PgStore> {
    const key = `${writer ? 'w' : 'r'}:${url}`;
    let pending = this.stores.get(key);
    if (!pending) {
      pending = PgStore.open(url, { ...this.options(), max: writer ? 4 : 10, migrate: writer });
      this.stores.set(key, pending);
      pending.catch(() => this.stores.delete(key));
    }
    return pending;
  }

  async closeAll(): Promise<void> {
    const all = [...this.stores.values()];
    this.stores.clear();
    await Promise.all(all.map((p) => p.then((s) => s.close(), () => undefined)));
  }
}

export const TeamStoresKey = serviceKey<TeamStores>('teamStores');
