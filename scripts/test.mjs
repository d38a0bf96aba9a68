// `npm test`: the whole suite, both tiers — type-check, lint, build, unit tests (mocha in plain Node), then
// host tests inside a real VS Code (code-server) host. Works straight after `npm ci`: the host tier
// installs what it needs (scripts/setup-host.sh). Ends with one line "N passed, N failed".
import { spawn } from 'node:child_process';

const started = Date.now();
const totals = { passed: 0, failed: 0, pending: 0 };

function run(label, command, args, { parse } = {}) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.on('close', (code) => {
      if (parse) parse(output);
      resolve(code ?? 1);
    });
  });
}

const countMocha = (output) => {
  totals.passed += Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
  totals.failed += Number(/(\d+) failing/.exec(output)?.[1] ?? 0);
  totals.pending += Number(/(\d+) pending/.exec(output)?.[1] ?? 0);
};
const countHost = (output) => {
  const m = /host: (\d+) passed, (\d+) failed/.exec(output);
  if (m) {
    totals.passed += Number(m[1]);
    totals.failed += Number(m[2]);
  }
};

const steps = [
  // First, so that both tiers have Chromium (the webview XSS suite runs in the unit tier) and the host.
  ['host setup', 'npm', ['run', '--silent', 'setup:host']],
  // A real PostgreSQL 15 + HypoPG for the database tests (each run starts and stops its own server).
  ['postgres setup', 'bash', ['scripts/setup-postgres.sh']],
  ['type-check', 'npm', ['run', '--silent', 'check']],
  // Layering (import zones, protocol = types, one egress door): eslint.config.mjs.
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['unit tier', 'npm', ['run', '--silent', 'test:unit'], { parse: countMocha }],
  ['host tier', 'npm', ['run', '--silent', 'test:host'], { parse: countHost }],
];
const failures = [];
for (const [label, command, args, opts] of steps) {
  const code = await run(label, command, args, opts);
  if (code !== 0) failures.push(`${label} (exit ${code})`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\nnpm test finished in ${seconds} s${failures.length ? `; failed steps: ${failures.join(', ')}` : ''}`);
if (totals.pending) console.log(`${totals.pending} pending tests — pending is not passing; fix or remove them.`);
// A failed step with no counted failing test (e.g. type errors) still counts as a failure.
const failed = totals.failed + (failures.length && !totals.failed ? failures.length : 0) + totals.pending;
console.log(`${totals.passed} passed, ${failed} failed`);
process.exit(failures.length || failed ? 1 : 0);
