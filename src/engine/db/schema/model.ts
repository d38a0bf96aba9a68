/**
 * The workspace's relational schema as Keel understands it: tables, columns, keys and indexes, read
 * from what the repository contains (SQL migrations, Prisma) or from a live database. It is kept as
 * DDL too, because the embedded rehearsal applies the schema to a scratch PostgreSQL and lets the
 * real server decide what the statements mean.
 */

import type { PrismaSchema } from './prisma';

export interface SchemaColumn {
  name: string;
  /** PostgreSQL type as written in DDL (`integer`, `text`, `timestamp(3)`, an enum's quoted name …). */
  type: string;
  nullable: boolean;
  /** The column has a DEFAULT (serial, now(), …): synthetic rows may leave it to the database. */
  hasDefault?: boolean;
  /** Values of an enum type, when the column is one. */
  enumValues?: string[];
}

export interface SchemaForeignKey {
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface SchemaIndex {
  name?: string;
  columns: string[];
  unique: boolean;
}

export interface SchemaTable {
  schema: string;
  name: string;
  columns: SchemaColumn[];
  primaryKey: string[];
  foreignKeys: SchemaForeignKey[];
  indexes: SchemaIndex[];
}

/** Where the schema came from, for the user ("read from prisma/schema.prisma"). */
export interface SchemaOrigin {
  kind: 'prisma' | 'sql-migrations' | 'knex' | 'typeorm' | 'sqlalchemy' | 'django' | 'database';
  paths: string[];
}

export interface WorkspaceSchema {
  origin: SchemaOrigin[];
  /** DDL that creates the schema in an empty PostgreSQL database, in dependency order. */
  ddl: string[];
  /** The tables behind the DDL, when Keel read them itself (not from SQL migrations or a database). */
  tables?: SchemaTable[];
  /**
   * The workspace's Prisma schema, parsed, whenever it has one — even when SQL migrations are the
   * schema — because Prisma calls in the code name models, not tables.
   */
  prisma?: PrismaSchema;
}

/** Quote an identifier for PostgreSQL exactly as the schema spells it. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
