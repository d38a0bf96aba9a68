/**
 * `keel api [dir] [--json] [--openapi] [--fail-on …]`: the service's routes (method, full path with
 * router prefixes, file:line, framework, body validation), its agent-readiness summary (api rule
 * counts, worst endpoints first), or with `--openapi` an OpenAPI 3.1 document (YAML; `--json` for
 * JSON) built from the routes and checked with an OpenAPI schema validator.
 * `--json` prints exactly `[{ method, path, file, line, framework, validation }]`.
 */
import { stringify } from 'yaml';
import { KeelError } from '../../common/errors';
import type { CliCommand } from '../command';

export const apiCommand: CliCommand = {
  name: 'api',
  summary: 'List API routes and check they are agent-ready',
  usage: 'keel api [dir] [--json] [--openapi]',
  options: {
    json: { type: 'boolean', description: 'Routes as a JSON array (with --openapi: the document as JSON).' },
    openapi: { type: 'boolean', description: 'Write an OpenAPI 3.1 document built from the discovered routes.' },
  },
  async run(args, io) {
    if (args.positionals.length > 1) throw new KeelError('BAD_INPUT', 'keel api takes one folder');
    const paths = args.positionals.length > 0 ? args.positionals : ['.'];
    if (args.values.openapi === true) {
      const { document, validation } = await io.call('api/openapi', { paths, cwd: io.cwd });
      io.out(args.values.json === true ? `${JSON.stringify(document, null, 2)}\n` : stringify(document));
      if (validation === null) io.err('note: the OpenAPI validator is not installed beside keel; the document was not validated\n');
      else if (!validation.valid) {
        io.err(`the generated document does not validate:\n${validation.errors.join('\n')}\n`);
        return 1;
      } else io.err('valid OpenAPI 3.1 (checked with @seriousme/openapi-schema-validator)\n');
      return 0;
    }
    const result = await io.call('api/scan', { paths, cwd: io.cwd });
    if (args.values.json === true) {
      io.out(`${JSON.stringify(result.routes.map((r) => ({ method: r.method, path: r.path, file: r.file, line: r.line, framework: r.framework, validation: r.validation })), null, 2)}\n`);
      return 0;
    }
    const lines: string[] = [];
    const width = Math.max(6, ...result.routes.map((r) => r.method.length));
    for (const r of result.routes) lines.push(`${r.method.padEnd(width)}  ${r.path}  ${r.file}:${r.line}  ${r.framework}  ${r.validation ?? '(no validation)'}`);
    const rd = result.readiness;
    lines.push('', `Agent readiness: ${rd.score}/100 — ${rd.routes} route${rd.routes === 1 ? '' : 's'}, ${result.findings.length} api finding${result.findings.length === 1 ? '' : 's'}`);
    for (const [code, n] of Object.entries(rd.byRule).sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(4)}  ${code}`);
    if (rd.worst.length > 0) {
      lines.push('Worst endpoints:');
      for (const w of rd.worst) lines.push(`  ${w.method} ${w.path}  ${w.file}:${w.line}  ${w.findings} finding${w.findings === 1 ? '' : 's'} (${w.codes.join(', ')})`);
    }
    lines.push('Details: keel scan --format text|json|sarif');
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};
