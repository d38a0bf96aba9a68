/**
 * Names that hold schema metadata: the table, column, schema, index … names that ORMs and migration
 * tools splice into DDL and catalog queries (`DROP TABLE ${tableName}`, `WHERE "table_schema" =
 * '${schema}'`). Identifiers cannot be bound parameters, so such code has no placeholder to use; it
 * comes from the model definitions, not from a user. A value with one of these names is treated as
 * sanitised only inside a class (the schema editors, query runners and dialects of ORMs are classes)
 * and unless it is traced to user input (a request field, argv, env), which still reports. A free
 * function splicing a `table_name` it was handed stays a finding: nothing says where that came from.
 */
import type { SyntaxNode } from '../syntax/treeSitter';

const BARE = /^(schema|schemas|database|databases|catalog|tablespace|dbtable|dbtables|dbname)$/;
/** Catalog columns as information_schema names them: table_schema, TABLE_CATALOG, udt_schema. */
const CATALOG_COLUMN = /^(table|udt|constraint|index|view|sequence|trigger|routine|type|referenced(table)?)(schema|catalog|name)$/;
const SUFFIXED = /(schema|database|catalog|table|view|column|index|constraint|enum|sequence|trigger|type|collation|tablespace|relation|foreignkey|primarykey|fk|pk|uq)(name|names|path|paths|ident|identifier|identifiers)$/;
const PREFIXED = /^(current|default|target|parent|referenced|old|new|source)(schema|database|catalog)$/;

export function isSchemaMetadataName(name: string): boolean {
  const n = name.replace(/_/g, '').toLowerCase();
  return BARE.test(n) || SUFFIXED.test(n) || PREFIXED.test(n) || CATALOG_COLUMN.test(n);
}

const CLASS_TYPES = new Set(['class_body', 'class_definition', 'class_declaration', 'class']);

/** `node` is a schema-metadata name used inside a class's code (methods and their callbacks). */
export function isSchemaMetadataInClass(name: string, node: SyntaxNode): boolean {
  if (!isSchemaMetadataName(name)) return false;
  for (let n = node.parent; n; n = n.parent) if (CLASS_TYPES.has(n.type)) return true;
  return false;
}
