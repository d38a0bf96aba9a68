/**
 * SQLAlchemy declarative models (2.0 `Mapped[...] = mapped_column(...)` and classic `Column(...)`)
 * and Django models → tables, the way those ORMs create them: SQLAlchemy's `__tablename__` and
 * column names (the first string argument renames), Django's `<app>_<model>` tables, `<field>_id`
 * foreign keys (which Django DOES index, unlike Prisma), `db_table`, `db_index`, `unique`, and
 * `Meta.indexes`. Read from the source text; classes that are not models are ignored.
 */
import * as path from 'node:path';
import { quoteIdent, type SchemaColumn, type SchemaTable } from './model';

interface PyClass {
  name: string;
  bases: string;
  body: string[];
}

function classes(text: string): PyClass[] {
  const lines = text.split('\n');
  const out: PyClass[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^class\s+(\w+)\s*\(([^)]*)\)\s*:/.exec(lines[i]);
    if (!m) continue;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      if (/^\S/.test(lines[j]) && lines[j].trim()) break;
      body.push(lines[j]);
    }
    out.push({ name: m[1], bases: m[2], body });
  }
  return out;
}

/** Join a field's continuation lines so `x = Column(\n  Integer,\n)` reads as one statement. */
function statements(body: string[], indent: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  for (const raw of body) {
    const line = raw.replace(/#.*$/, '');
    if (!current && !line.startsWith(indent)) continue;
    if (!current && /^\s{2,}\S/.test(line) && line.search(/\S/) > indent.length) continue; // nested block
    current += ` ${line.trim()}`;
    for (const c of line) depth += c === '(' || c === '[' ? 1 : c === ')' || c === ']' ? -1 : 0;
    if (depth <= 0) {
      if (current.trim()) out.push(current.trim());
      current = '';
      depth = 0;
    }
  }
  return out;
}

const SA_TYPES: Array<[RegExp, string]> = [
  [/\bBigInteger\b/, 'bigint'],
  [/\bSmallInteger\b/, 'smallint'],
  [/\bInteger\b/, 'integer'],
  [/\bString\((\d+)\)/, 'varchar($1)'],
  [/\b(String|Text|Unicode|UnicodeText)\b/, 'text'],
  [/\bBoolean\b/, 'boolean'],
  [/\bDateTime\(timezone=True\)/, 'timestamptz'],
  [/\bDateTime\b/, 'timestamp'],
  [/\bDate\b/, 'date'],
  [/\b(Numeric|DECIMAL)\b/, 'numeric'],
  [/\bFloat\b/, 'double precision'],
  [/\b(JSONB|JSON)\b/, 'jsonb'],
  [/\bUuid\b|\bUUID\b/, 'uuid'],
  [/\bLargeBinary\b/, 'bytea'],
];
const PY_TYPES: Record<string, string> = { int: 'integer', str: 'text', bool: 'boolean', float: 'double precision', datetime: 'timestamp', date: 'date', Decimal: 'numeric', UUID: 'uuid', bytes: 'bytea', dict: 'jsonb' };

function saType(expr: string, annotation?: string): string {
  for (const [re, t] of SA_TYPES) {
    const m = re.exec(expr);
    if (m) return t.replace('$1', m[1] ?? '');
  }
  const inner = annotation ? /(?:Optional\[)?(\w+)/.exec(annotation.replace(/^Mapped\[/, ''))?.[1] : undefined;
  return (inner && PY_TYPES[inner]) || 'text';
}

export function parseSqlAlchemyModels(text: string): SchemaTable[] {
  const tables: SchemaTable[] = [];
  for (const cls of classes(text)) {
    const stmts = statements(cls.body, '    ');
    const tableName = stmts.map((s) => /^__tablename__\s*=\s*['"]([^'"]+)['"]/.exec(s)?.[1]).find(Boolean);
    if (!tableName) continue;
    const table: SchemaTable = { schema: 'public', name: tableName, columns: [], primaryKey: [], foreignKeys: [], indexes: [] };
    for (const s of stmts) {
      const m = /^(\w+)\s*(?::\s*([^=]+?))?\s*(?:=\s*(.*))?$/.exec(s);
      if (!m || m[1].startsWith('__')) continue;
      const [, attr, annotation, value = ''] = m;
      const isColumn = /\b(mapped_column|Column)\s*\(/.test(value) || (annotation?.startsWith('Mapped[') && !value && !/Mapped\[(list|List|set)\[/.test(annotation));
      if (!isColumn || /relationship\(/.test(value)) continue;
      if (annotation && /Mapped\[["']?[A-Z]\w*["']?\]/.test(annotation) && !/\b(mapped_column|Column)\b/.test(value) && !PY_TYPES[/Mapped\[(\w+)/.exec(annotation)?.[1] ?? '']) continue;
      const args = /\b(?:mapped_column|Column)\s*\((.*)\)\s*$/.exec(value)?.[1] ?? '';
      const name = /^\s*['"]([^'"]+)['"]/.exec(args)?.[1] ?? attr;
      const column: SchemaColumn = {
        name,
        type: saType(args, annotation),
        nullable: /nullable\s*=\s*True/.test(args) || /Optional\[|\|\s*None/.test(annotation ?? '') || (!annotation && !/nullable\s*=\s*False/.test(args) && !/primary_key\s*=\s*True/.test(args)),
      };
      table.columns.push(column);
      if (/primary_key\s*=\s*True/.test(args)) table.primaryKey.push(name);
      if (/unique\s*=\s*True/.test(args)) table.indexes.push({ columns: [name], unique: true });
      else if (/index\s*=\s*True/.test(args)) table.indexes.push({ columns: [name], unique: false });
      const fk = /ForeignKey\(\s*['"]([^'".]+)\.([^'"]+)['"]/.exec(args);
      if (fk) table.foreignKeys.push({ columns: [name], refTable: fk[1], refColumns: [fk[2]] });
    }
    if (table.columns.length) tables.push(table);
  }
  return tables;
}

const DJANGO_TYPES: Record<string, string> = {
  AutoField: 'serial',
  BigAutoField: 'bigserial',
  IntegerField: 'integer',
  PositiveIntegerField: 'integer',
  SmallIntegerField: 'smallint',
  PositiveSmallIntegerField: 'smallint',
  BigIntegerField: 'bigint',
  CharField: 'varchar',
  SlugField: 'varchar',
  EmailField: 'varchar',
  URLField: 'varchar',
  TextField: 'text',
  BooleanField: 'boolean',
  DateTimeField: 'timestamptz',
  DateField: 'date',
  DecimalField: 'numeric',
  FloatField: 'double precision',
  JSONField: 'jsonb',
  UUIDField: 'uuid',
  BinaryField: 'bytea',
  GenericIPAddressField: 'inet',
};

/** `app/models.py` → app label `app` (the folder holding models.py or the models/ package). */
export function djangoAppLabel(file: string): string {
  const dir = path.posix.dirname(file.replace(/\\/g, '/'));
  return path.posix.basename(path.posix.basename(dir) === 'models' ? path.posix.dirname(dir) : dir);
}

export function parseDjangoModels(text: string, appLabel: string): SchemaTable[] {
  const tables: SchemaTable[] = [];
  const found = classes(text).filter((c) => /\bmodels\.Model\b|\bModel\b/.test(c.bases));
  const tableOf = new Map(found.map((c) => [c.name, `${appLabel}_${c.name.toLowerCase()}`]));
  for (const cls of found) {
    const stmts = statements(cls.body, '    ');
    const metaStart = cls.body.findIndex((l) => /^\s{4}class Meta\b/.test(l));
    const meta = metaStart >= 0 ? cls.body.slice(metaStart + 1).join('\n') : '';
    if (/abstract\s*=\s*True/.test(meta)) continue;
    const name = /db_table\s*=\s*['"]([^'"]+)['"]/.exec(meta)?.[1] ?? tableOf.get(cls.name)!;
    const table: SchemaTable = { schema: 'public', name, columns: [], primaryKey: [], foreignKeys: [], indexes: [] };
    for (const s of stmts) {
      const m = /^(\w+)\s*=\s*models\.(\w+)\((.*)\)\s*$/.exec(s);
      if (!m) continue;
      const [, field, kind, args] = m;
      if (kind === 'ManyToManyField') continue; // a join table of its own
      const nullable = /null\s*=\s*True/.test(args);
      if (kind === 'ForeignKey' || kind === 'OneToOneField') {
        const target = /^\s*['"]?([\w.]+)['"]?/.exec(args)?.[1] ?? '';
        const model = target.split('.').pop()!;
        const refTable = model === 'self' ? name : tableOf.get(model) ?? `${target.includes('.') ? target.split('.')[0].toLowerCase() : appLabel}_${model.toLowerCase()}`;
        const col = /db_column\s*=\s*['"]([^'"]+)['"]/.exec(args)?.[1] ?? `${field}_id`;
        table.columns.push({ name: col, type: 'bigint', nullable });
        table.foreignKeys.push({ columns: [col], refTable, refColumns: ['id'] });
        // Django indexes every ForeignKey unless db_index=False; OneToOne is unique.
        if (kind === 'OneToOneField') table.indexes.push({ columns: [col], unique: true });
        else if (!/db_index\s*=\s*False/.test(args)) table.indexes.push({ columns: [col], unique: false });
        continue;
      }
      let type = DJANGO_TYPES[kind];
      if (!type) continue;
      const maxLength = /max_length\s*=\s*(\d+)/.exec(args)?.[1];
      if (type === 'varchar') type = `varchar(${maxLength ?? (kind === 'EmailField' ? 254 : kind === 'URLField' ? 200 : kind === 'SlugField' ? 50 : 255)})`;
      const col = /db_column\s*=\s*['"]([^'"]+)['"]/.exec(args)?.[1] ?? field;
      table.columns.push({ name: col, type, nullable });
      if (/primary_key\s*=\s*True/.test(args) || kind.endsWith('AutoField')) table.primaryKey = [col];
      if (/unique\s*=\s*True/.test(args)) table.indexes.push({ columns: [col], unique: true });
      else if (/db_index\s*=\s*True/.test(args)) table.indexes.push({ columns: [col], unique: false });
    }
    if (!table.primaryKey.length) {
      table.columns.unshift({ name: 'id', type: 'bigserial', nullable: false });
      table.primaryKey = ['id'];
    }
    for (const ix of meta.matchAll(/models\.Index\(\s*fields\s*=\s*\[([^\]]*)\]/g)) {
      const cols = ix[1].split(',').map((c) => c.trim().replace(/^['"]-?|['"]$/g, '')).filter(Boolean);
      table.indexes.push({ columns: cols.map((c) => (table.columns.some((x) => x.name === c) ? c : `${c}_id`)), unique: false });
    }
    tables.push(table);
  }
  return tables;
}

/** Tables → DDL that creates them in an empty database (tables first, then indexes and keys). */
export function tablesDdl(tables: readonly SchemaTable[]): string[] {
  const ddl: string[] = [];
  for (const t of tables) {
    const cols = t.columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
    if (t.primaryKey.length) cols.push(`PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')})`);
    ddl.push(`CREATE TABLE ${quoteIdent(t.name)} (${cols.join(', ')})`);
  }
  for (const t of tables) {
    t.indexes.forEach((ix, i) => {
      const name = `${t.name}_${ix.columns.join('_')}_${ix.unique ? 'key' : 'idx'}${i ? `_${i}` : ''}`.slice(0, 63);
      ddl.push(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON ${quoteIdent(t.name)} (${ix.columns.map(quoteIdent).join(', ')})`);
    });
    for (const fk of t.foreignKeys) {
      ddl.push(`ALTER TABLE ${quoteIdent(t.name)} ADD FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(fk.refTable)} (${fk.refColumns.map(quoteIdent).join(', ')})`);
    }
  }
  return ddl;
}
