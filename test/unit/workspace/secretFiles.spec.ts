/** Credentials files are never indexed, whatever they are called: by known names and by content. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSourceFile } from '../../../src/engine/workspace/sourceFile';
import { walkWorkspace } from '../../../src/engine/workspace/walker';
import { makeTree } from './helpers';

const MB = 1024 * 1024;

const KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    server: https://10.0.0.1:6443
  name: prod
contexts:
- context: {cluster: prod, user: admin}
  name: prod
current-context: prod
kind: Config
preferences: {}
users:
- name: admin
  user:
    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.payload.signature
`;
const DOCKER = '{\n  "auths": {\n    "registry.example.com": {\n      "auth": "dXNlcjpodW50ZXIyaHVudGVyMg=="\n    }\n  }\n}\n';
const KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBJ4b1YhD3dCz7nQ1cL0QqQj3m7w7W1gG9T0nqZ0WwLdwAAAJgx8h5wMfIe
-----END OPENSSH PRIVATE KEY-----
`;
const ENV = '# staging\nDATABASE_URL=postgres://app@db/app\nSTRIPE_SECRET=sk_test_abcdefghijklmnop1234\nDEBUG=1\n';

describe('secret-bearing files', () => {
  it('are skipped by name (env files of any name, tfvars, tfstate, kubeconfig, netrc, pgpass, credentials)', async () => {
    const names = ['.envrc', 'prod.env', 'x.env', '.env.production', 'terraform.tfvars', 'prod.auto.tfvars.json', 'terraform.tfstate',
      'terraform.tfstate.backup', 'kubeconfig', 'dev.kubeconfig', '.netrc', '.pgpass', 'credentials', '.git-credentials'];
    const { dir, cleanup } = makeTree({ 'ok.ts': 'export const ok = 1;\n', ...Object.fromEntries(names.map((n) => [n, 'x'])) });
    try {
      const { files, skipped } = await walkWorkspace([dir], { maxFileSizeBytes: MB });
      assert.deepEqual(files.map((f) => f.rel), ['ok.ts']);
      assert.deepEqual(skipped.map((s) => s.path).sort(), [...names].sort());
      assert.ok(skipped.every((s) => s.kind === 'secret'));
    } finally {
      cleanup();
    }
  });

  it('are recognised by content under any name (kubeconfig, docker auths, private key, env lines)', async () => {
    const { dir, cleanup } = makeTree({
      'cluster.yaml': KUBECONFIG, 'config.json': DOCKER, 'deploy-key.txt': KEY, 'settings.sh': ENV,
      'app.ts': 'export const url = process.env.DATABASE_URL;\n',
      'k8s.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n',
      'package.json': '{ "name": "x", "dependencies": {} }\n',
      'Makefile': 'CC=gcc\nCFLAGS=-O2\n\nall:\n\t$(CC) main.c\n',
      'keys.ts': 'const re = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----/;\n',
    });
    try {
      for (const name of ['cluster.yaml', 'config.json', 'deploy-key.txt', 'settings.sh']) {
        const r = await readSourceFile(path.join(dir, name), MB);
        assert.equal(r.ok, false, name);
        assert.equal(!r.ok && r.kind, 'secret', name);
      }
      for (const name of ['app.ts', 'k8s.yaml', 'package.json', 'Makefile', 'keys.ts']) {
        assert.ok((await readSourceFile(path.join(dir, name), MB)).ok, name);
      }
    } finally {
      cleanup();
    }
  });

  it('a symlink with a harmless name pointing at .env is judged by its target', async () => {
    const { dir, cleanup } = makeTree({ '.env': 'API_TOKEN=abcdef123456\n', 'real.ts': 'x' });
    try {
      fs.symlinkSync('.env', path.join(dir, 'settings.txt'));
      const { files, skipped } = await walkWorkspace([dir], { maxFileSizeBytes: MB });
      assert.deepEqual(files.map((f) => f.rel), ['real.ts']);
      assert.equal(skipped.find((s) => s.path === 'settings.txt')?.kind, 'secret');
    } finally {
      cleanup();
    }
  });
});
