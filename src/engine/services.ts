/**
 * A tiny typed service locator so that features can share long-lived objects (the open index, the
 * active embedder, the cost ledger) without importing each other's registration code. Services are
 * created lazily on first use — the engine starts instantly and pays only for what is asked of it.
 */

export interface ServiceKey<T> {
  readonly name: string;
  /** Phantom field: carries T for the type checker only. */
  readonly __type?: T;
}

export function serviceKey<T>(name: string): ServiceKey<T> {
  return { name };
}

type Factory<T> = (registry: ServiceRegistry) => T;

export class ServiceRegistry {
  private readonly factories = new Map<string, Factory<unknown>>();
  private readonly instances = new Map<string, unknown>();

  /** Declare how to build a service. Overriding an existing factory is allowed before first use (tests). */
  provide<T>(key: ServiceKey<T>, factory: Factory<T>): void {
    if (this.instances.has(key.name)) throw new Error(`Service ${key.name} already instantiated`);
    this.factories.set(key.name, factory as Factory<unknown>);
  }

  get<T>(key: ServiceKey<T>): T {
    if (this.instances.has(key.name)) return this.instances.get(key.name) as T;
    const factory = this.factories.get(key.name);
    if (!factory) throw new Error(`No provider for service ${key.name}`);
    const instance = factory(this) as T;
    this.instances.set(key.name, instance);
    return instance;
  }

  /** Replace (or set) a live instance, e.g. when configuration changes the active embedder. */
  set<T>(key: ServiceKey<T>, instance: T): void {
    this.instances.set(key.name, instance);
  }

  /** Drop a live instance so that the next get() rebuilds it. */
  reset<T>(key: ServiceKey<T>): void {
    this.instances.delete(key.name);
  }

  has<T>(key: ServiceKey<T>): boolean {
    return this.instances.has(key.name) || this.factories.has(key.name);
  }
}
