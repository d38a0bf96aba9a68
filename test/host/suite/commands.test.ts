import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { keelApi, keelExtension } from './helpers';

interface Contributes {
  commands?: { command: string }[];
  keybindings?: { command: string }[];
  menus?: Record<string, { command: string }[]>;
}

describe('commands', () => {
  const contributes = (): Contributes => keelExtension().packageJSON.contributes ?? {};

  it('registers every command contributed in package.json', async () => {
    await keelApi();
    const contributed = (contributes().commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('binds keys and menus only to contributed commands', () => {
    const c = contributes();
    const contributed = new Set((c.commands ?? []).map((x) => x.command));
    const referenced = [...(c.keybindings ?? []), ...Object.values(c.menus ?? {}).flat()].map((x) => x.command);
    assert.ok(referenced.length > 0);
    assert.deepEqual(referenced.filter((id) => !contributed.has(id)), []);
  });

  it('keel.pingEngine answers through the engine worker', async () => {
    const info = (await vscode.commands.executeCommand('keel.pingEngine')) as { name: string; host: string } | undefined;
    assert.ok(info, 'keel.pingEngine returned nothing (the engine did not answer)');
    assert.equal(info.name, 'keel-engine');
    assert.equal(info.host, 'worker');
  });
});
