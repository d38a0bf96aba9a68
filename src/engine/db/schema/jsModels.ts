/**
 * TypeORM entities and Knex migrations → tables, the way those libraries create them on PostgreSQL:
 * TypeORM's default naming (class `UserProfile` → table `user_profile`, properties keep their
 * names, a `@ManyToOne` `author` gets the join column `authorId`, columns NOT NULL unless
 * `nullable: true`, no index on a foreign key unless `@Index`), and Knex's schema builder
 * (`createTable` / `table` / `alterTable`, column chains such as `.notNullable().unique()`,
 * `.references('users.id')`, `t.index([...])`, `t.timestamps()`). Read from the source text.
 */
import type { SchemaColumn, SchemaTable } from './model';

/** The text between the bracket at `open` and its partner (strings skipped), or the rest. */
function balanced(text: string, open: number): string {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const close = pairs[text[open]];
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) break;
      i = end;
    } else if (c === text[open]) depth++;
    else if (c === close && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

const stringArgs = (args: string): string[] => [...args.matchAll(/['"`]([^'"`]+)['"`]/g)].map((m) => m[1]);

function snakeCase(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

// ---- TypeORM ---------------------------------------------------------------------------------

const TS_TYPES: Record<string, string> = { number: 'integer', string: 'varchar', boolean: 'boolean', Date: 'timestamp', bigint: 'bigint', object: 'jsonb', Buffer: 'bytea' };
const TYPEORM_TYPES: Record<string, string> = {
  int: 'integer', int4: 'integer', integer: 'integer', int8: 'bigint', bigint: 'bigint', smallint: 'smallint', int2: 'smallint',
  varchar: 'varchar', 'character varying': 'varchar', text: 'text', char: 'char', uuid: 'uuid', boolean: 'boolean', bool: 'boolean',
  timestamp: 'timestamp', timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz', date: 'date', time: 'time',
  decimal: 'numeric', numeric: 'numeric', float: 'double precision', double: 'double precision', 'double precision': 'double precision',
  real: 'real', json: 'json', jsonb: 'jsonb', bytea: 'bytea', inet: 'inet', enum: 'text', 'simple-array': 'text', 'simple-json': 'text',
};

interface Decorated {
  decorators: Array<{ name: string; args: string }>;
  property: string;
  tsType: string;
}

/** A class body's members with the decorators written above them. */
function decoratedMembers(body: string): Decorated[] {
  const out: Decorated[] = [];
  let pending: Decorated['decorators'] = [];
  const re = /@(\w+)\s*\(|(?<=^|[;\n)])\s*(?:(?:public|private|protected|readonly|declare|override)\s+)*(\w+)\s*[!?]?\s*:\s*([\w.<>[\]| ]+?)\s*(?:[;=\n])/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[1]) {
      const args = balanced(body, m.index + m[0].length - 1);
      pending.push({ name: m[1], args });
      re.lastIndex = m.index + m[0].length + args.length + 1;
    } else if (pending.length) {
      out.push({ decorators: pending, property: m[2], tsType: m[3].trim() });
      pending = [];
    }
  }
  return out;
}

function option(args: string, key: string): string | undefined {
  return new RegExp(`\\b${key}\\s*:\\s*(['"\`][^'"\`]*['"\`]|[\\w.]+)`).exec(args)?.[1]?.replace(/^['"`]|['"`]$/g, '');
}

export function parseTypeOrmEntities(text: string): SchemaTable[] {
  const tables: SchemaTable[] = [];
  const classRe = /@Entity\s*\(/g;
  const pendingFks: Array<{ table: SchemaTable; column: string; target: string }> = [];
  const tableOfClass = new Map<string, string>();
  for (let m = classRe.exec(text); m; m = classRe.exec(text)) {
    const entityArgs = balanced(text, m.index + m[0].length - 1);
    const head = /^[\s\S]*?\bclass\s+(\w+)[^{]*\{/.exec(text.slice(m.index));
    if (!head) continue;
    const classDecorators = text.slice(m.index, m.index + head[0].length - /class\s+\w+[^{]*\{$/.exec(head[0])![0].length);
    const body = balanced(text, m.index + head[0].length - 1);
    const name = stringArgs(entityArgs.split(',')[0] ?? '')[0] ?? option(entityArgs, 'name') ?? snakeCase(head[1]);
    tableOfClass.set(head[1], name);
    const table: SchemaTable = { schema: option(entityArgs, 'schema') ?? 'public', name, columns: [], primaryKey: [], foreignKeys: [], indexes: [] };
    for (const member of decoratedMembers(body)) {
      const deco = new Map(member.decorators.map((d) => [d.name, d.args]));
      const colArgs = deco.get('Column') ?? deco.get('PrimaryColumn') ?? deco.get('PrimaryGeneratedColumn') ?? deco.get('CreateDateColumn') ?? deco.get('UpdateDateColumn') ?? deco.get('DeleteDateColumn') ?? deco.get('VersionColumn');
      const relation = deco.get('ManyToOne') ?? deco.get('OneToOne');
      if (relation !== undefined && (deco.has('JoinColumn') || deco.has('ManyToOne'))) {
        const join = deco.get('JoinColumn') ?? '';
        const target = /=>\s*(\w+)/.exec(relation)?.[1] ?? stringArgs(relation)[0] ?? member.tsType;
        const refColumn = option(join, 'referencedColumnName') ?? 'id';
        const column = option(join, 'name') ?? `${member.property}${refColumn[0].toUpperCase()}${refColumn.slice(1)}`;
        if (!table.columns.some((c) => c.name === column)) table.columns.push({ name: column, type: 'integer', nullable: !/nullable\s*:\s*false/.test(relation) });
        pendingFks.push({ table, column, target });
        if (deco.has('Index')) table.indexes.push({ columns: [column], unique: /unique\s*:\s*true/.test(deco.get('Index')!) });
        continue;
      }
      if (colArgs === undefined) continue;
      const column = option(colArgs, 'name') ?? member.property;
      const explicit = stringArgs(colArgs.split(/[,{]/)[0] ?? '')[0] ?? option(colArgs, 'type');
      let type = (explicit && TYPEORM_TYPES[explicit]) ?? TS_TYPES[member.tsType.replace(/\s*\|\s*null$/, '')] ?? 'text';
      if (deco.has('PrimaryGeneratedColumn')) type = explicit === 'uuid' ? 'uuid' : type === 'bigint' ? 'bigserial' : 'serial';
      if (deco.has('CreateDateColumn') || deco.has('UpdateDateColumn') || deco.has('DeleteDateColumn')) type = 'timestamp';
      const length = option(colArgs, 'length');
      if (type === 'varchar' && length) type = `varchar(${length})`;
      const col: SchemaColumn = {
        name: column,
        type,
        nullable: /nullable\s*:\s*true/.test(colArgs) || deco.has('DeleteDateColumn'),
        ...(/default\s*:/.test(colArgs) || deco.has('PrimaryGeneratedColumn') || deco.has('CreateDateColumn') || deco.has('UpdateDateColumn') ? { hasDefault: true } : {}),
      };
      const enumValues = /enum\s*:\s*\[([^\]]*)\]/.exec(colArgs)?.[1];
      if (enumValues) col.enumValues = stringArgs(enumValues);
      table.columns.push(col);
      if (deco.has('PrimaryColumn') || deco.has('PrimaryGeneratedColumn')) table.primaryKey.push(column);
      if (/unique\s*:\s*true/.test(colArgs)) table.indexes.push({ columns: [column], unique: true });
      else if (deco.has('Index')) table.indexes.push({ columns: [column], unique: /unique\s*:\s*true/.test(deco.get('Index')!) });
    }
    // Class-level @Index(['a', 'b']) / @Unique(['a']) name properties.
    for (const ix of classDecorators.matchAll(/@(Index|Unique)\s*\(([^)]*)\)/g)) {
      const list = /\[([^\]]*)\]/.exec(ix[2])?.[1];
      if (list) table.indexes.push({ columns: stringArgs(list), unique: ix[1] === 'Unique' || /unique\s*:\s*true/.test(ix[2]) });
    }
    if (table.columns.length) tables.push(table);
  }
  for (const fk of pendingFks) {
    const refTable = tableOfClass.get(fk.target) ?? snakeCase(fk.target);
    fk.table.foreignKeys.push({ columns: [fk.column], refTable, refColumns: ['id'] });
    const target = tables.find((t) => t.name === refTable);
    const refType = target?.columns.find((c) => c.name === (target.primaryKey[0] ?? 'id'))?.type;
    const col = fk.table.columns.find((c) => c.name === fk.column);
    if (col && refType) col.type = refType === 'serial' ? 'integer' : refType === 'bigserial' ? 'bigint' : refType;
  }
  return tables;
}

// ---- Knex ------------------------------------------------------------------------------------

const KNEX_TYPES: Record<string, string> = {
  increments: 'serial', bigIncrements: 'bigserial', integer: 'integer', bigInteger: 'bigint', bigint: 'bigint', smallint: 'smallint', tinyint: 'smallint',
  string: 'varchar', text: 'text', boolean: 'boolean', date: 'date', datetime: 'timestamptz', timestamp: 'timestamptz', time: 'time',
  decimal: 'numeric', float: 'real', double: 'double precision', json: 'json', jsonb: 'jsonb', uuid: 'uuid', binary: 'bytea', enu: 'text', enum: 'text',
  specificType: 'text',
};

export function parseKnexMigrations(texts: readonly string[]): SchemaTable[] {
  const tables = new Map<string, SchemaTable>();
  for (const text of texts) {
    const re = /\.(createTable|createTableIfNotExists|table|alterTable)\s*\(\s*['"`]([\w.]+)['"`]\s*,\s*(?:async\s*)?(?:function\s*\w*\s*\(\s*(\w+)[^)]*\)|\(?\s*(\w+)[^)=]*\)?\s*=>)\s*\{/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const [schemaName, tableName] = m[2].includes('.') ? m[2].split('.') : ['public', m[2]];
      const builder = m[3] ?? m[4];
      let table = tables.get(tableName);
      if (!table) {
        if (!m[1].startsWith('create')) continue; // altering a table this workspace did not create
        table = { schema: schemaName, name: tableName, columns: [], primaryKey: [], foreignKeys: [], indexes: [] };
        tables.set(tableName, table);
      }
      knexBody(balanced(text, m.index + m[0].length - 1), builder, table);
    }
  }
  return [...tables.values()].filter((t) => t.columns.length);
}

function knexBody(body: string, builder: string, table: SchemaTable): void {
  const call = new RegExp(`\\b${builder}\\s*\\.\\s*(\\w+)\\s*\\(`, 'g');
  for (let m = call.exec(body); m; m = call.exec(body)) {
    const method = m[1];
    const args = balanced(body, m.index + m[0].length - 1);
    let end = m.index + m[0].length + args.length + 1;
    // The chain that follows: `.notNullable().unique().references('id').inTable('users')`.
    const chain: Array<{ name: string; args: string }> = [];
    for (let c = /^\s*\.\s*(\w+)\s*\(/.exec(body.slice(end)); c; c = /^\s*\.\s*(\w+)\s*\(/.exec(body.slice(end))) {
      const cargs = balanced(body, end + c[0].length - 1);
      chain.push({ name: c[1], args: cargs });
      end += c[0].length + cargs.length + 1;
    }
    call.lastIndex = end;
    const strs = stringArgs(args);
    const chained = (name: string): string | undefined => chain.find((c) => c.name === name)?.args;
    if (method === 'timestamps') {
      for (const name of ['created_at', 'updated_at']) table.columns.push({ name, type: 'timestamptz', nullable: !/^\s*true/.test(args), hasDefault: /,\s*true/.test(args) });
    } else if (method === 'index' || method === 'unique') {
      const cols = /\[([^\]]*)\]/.exec(args)?.[1];
      table.indexes.push({ columns: cols ? stringArgs(cols) : strs.slice(0, 1), unique: method === 'unique' });
    } else if (method === 'primary') {
      table.primaryKey = stringArgs(/\[([^\]]*)\]/.exec(args)?.[1] ?? args);
    } else if (method === 'foreign') {
      const cols = /\[([^\]]*)\]/.exec(args)?.[1];
      addKnexFk(table, cols ? stringArgs(cols) : strs.slice(0, 1), chained('references'), chained('inTable'));
    } else if (method === 'dropColumn' || method === 'dropColumns') {
      table.columns = table.columns.filter((c) => !strs.includes(c.name));
    } else if (KNEX_TYPES[method] && strs[0]) {
      const name = strs[0];
      let type = KNEX_TYPES[method];
      if (method === 'string') type = `varchar(${/,\s*(\d+)/.exec(args)?.[1] ?? 255})`;
      if (method === 'specificType') type = strs[1] ?? 'text';
      const primary = method === 'increments' || method === 'bigIncrements' || chained('primary') !== undefined;
      const column: SchemaColumn = {
        name,
        type,
        nullable: !primary && chained('notNullable') === undefined,
        ...(chained('defaultTo') !== undefined || primary ? { hasDefault: true } : {}),
      };
      if (method === 'enu' || method === 'enum') column.enumValues = stringArgs(/\[([^\]]*)\]/.exec(args)?.[1] ?? '');
      table.columns = table.columns.filter((c) => c.name !== name);
      table.columns.push(column);
      if (primary) table.primaryKey = [name];
      if (chained('unique') !== undefined) table.indexes.push({ columns: [name], unique: true });
      else if (chained('index') !== undefined) table.indexes.push({ columns: [name], unique: false });
      if (chained('references') !== undefined) addKnexFk(table, [name], chained('references'), chained('inTable'));
    }
  }
}

function addKnexFk(table: SchemaTable, columns: string[], references: string | undefined, inTable: string | undefined): void {
  if (references === undefined || !columns.length) return;
  const ref = stringArgs(references)[0] ?? 'id';
  const [refTable, refColumn] = ref.includes('.') ? ref.split('.') : [stringArgs(inTable ?? '')[0], ref];
  if (refTable) table.foreignKeys.push({ columns, refTable, refColumns: [refColumn] });
}
