/**
 * Precision of the api rules on real code: scans real backends shipped in Debian packages (Express's
 * example apps from node-express, gin's and echo's sources and test suites, DRF), then draws a seeded
 * random sample of findings and prints each with its code for hand triage.
 *   apt-get download node-express golang-github-gin-gonic-gin-dev golang-github-labstack-echo-dev python3-djangorestframework
 *   dpkg -x each into DIR/<package>;  npx tsx scripts/eval-api-wild.ts DIR [--seed 20] [--sample 40] [--per-rule]
 * Second corpus (code bases not used for the first tuning rounds): Debian python3-django-postorius,
 * python3-django-hyperkitty, python3-django-oauth-toolkit, python3-django-filters, python3-fastapi,
 * python3-flask-restful, python-flask-doc, golang-github-getkin-kin-openapi-dev (OpenAPI test documents),
 * golang-github-go-chi-chi-dev; npm generator-nest-js-boilerplate, @36node/template-service, json-server,
 * koa-router, @fastify/rate-limit, @fastify/sensible, create-express-kickstart,
 * @digitaldefiance/express-suite-starter, @readme/oas-examples (3.x YAML only: its JSON copies dropped).
 * `--per-rule` draws the sample round-robin over the rules that fired (seeded order within each rule),
 * so a rule with few findings is measured instead of being drowned by the most frequent one.
 * Last line: one JSON object (findings per rule and per package, the sample's ids).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanApi } from '../src/engine/api/scan';
import { mulberry32 } from './embedder/rng';

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? '.');
  const seed = Number(process.argv[process.argv.indexOf('--seed') + 1] ?? 20) || 20;
  const n = Number(process.argv[process.argv.indexOf('--sample') + 1] ?? 40) || 40;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const all: Array<{ id: string; root: string; f: { path: string; line: number; code: string; message: string } }> = [];
  let routes = 0;
  for (const root of fs.readdirSync(dir).sort()) {
    const r = await scanApi({ paths: ['.'], cwd: path.join(dir, root) }, undefined, true);
    routes += r.routes.length;
    for (const f of r.findings) all.push({ id: `${root}/${f.path}:${f.line}:${f.code}`, root, f });
  }
  const byRule: Record<string, number> = {};
  for (const a of all) byRule[a.f.code] = (byRule[a.f.code] ?? 0) + 1;
  const byRoot: Record<string, number> = {};
  for (const a of all) byRoot[a.root] = (byRoot[a.root] ?? 0) + 1;
  const rand = mulberry32(seed);
  const draw = <T>(pool: T[]): T => pool.splice(Math.floor(rand() * pool.length), 1)[0];
  const sample: typeof all = [];
  if (process.argv.includes('--per-rule')) {
    const pools = Object.keys(byRule).sort().map((code) => all.filter((a) => a.f.code === code));
    while (sample.length < n && pools.some((p) => p.length > 0)) for (const p of pools) if (p.length > 0 && sample.length < n) sample.push(draw(p));
  } else {
    const pool = [...all];
    while (sample.length < n && pool.length > 0) sample.push(draw(pool));
  }
  for (const s of sample) {
    const text = fs.readFileSync(path.join(dir, s.root, s.f.path), 'utf8').split('\n');
    console.log(`\n### ${s.id}\n${s.f.message}`);
    for (let i = Math.max(0, s.f.line - 3); i < Math.min(text.length, s.f.line + 3); i++) console.log(`${String(i + 1).padStart(5)}${i + 1 === s.f.line ? '>' : ' '} ${text[i]}`);
  }
  const c = process.cpuUsage(cpu);
  console.log(JSON.stringify({ routes, findings: all.length, byRule, byRoot, seed, sample: sample.map((s) => s.id), wallMs: Math.round(performance.now() - started), cpuMs: Math.round((c.user + c.system) / 1000) }));
}

void main();
