/** Runs the Python analyzers over one parsed module. */
import type { FileContext, RawFinding } from '../model';
import type { NodeIndex } from '../nodeIndex';
import { PY_BINDING_TYPES, PyConstness } from './constness';
import { analyzePySql } from './injection';
import { analyzePyNPlusOne, PY_LOOP_TYPES } from './nPlusOne';
import { analyzePyOrmWrites } from './ormWrites';
import { importedPyModules } from './sinks';

/** Node types the Python analyzers read, collected in one walk (see ../nodeIndex.ts). */
export const PY_INDEX_TYPES = [...new Set(['call', 'comment', 'lambda', ...PY_LOOP_TYPES, ...PY_BINDING_TYPES])];

export function analyzePython(file: FileContext, index: NodeIndex): RawFinding[] {
  const calls = index.of('call');
  const constness = new PyConstness(index, file.imported);
  const modules = importedPyModules(index.of('import_statement', 'import_from_statement'));
  return [...analyzePySql(file, index, calls, constness, modules), ...analyzePyNPlusOne(file, index, calls, constness), ...analyzePyOrmWrites(file, calls, modules)];
}
