import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeferredWork } from '../../../src/vscode/deferredWork';
import { macState, readPowerState, type PowerProbeDeps } from '../../../src/vscode/powerState';

/** A fake sysfs: `files` maps paths under the root to their contents. */
function fakeSys(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-sys-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), `${text}\n`);
  }
  return root;
}

const linux = (sysRoot: string): PowerProbeDeps => ({ platform: 'linux', sysRoot, run: async () => '' });

describe('battery-saver pause: reading the power state', () => {
  const roots: string[] = [];
  const sys = (files: Record<string, string>): string => {
    const root = fakeSys(files);
    roots.push(root);
    return root;
  };
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it('Linux: the low-power platform profile, or a discharging battery at 20% or less, is saving', async () => {
    assert.deepEqual(await readPowerState(linux(sys({ 'firmware/acpi/platform_profile': 'low-power' }))), { saving: true, reason: 'low-power profile' });
    const low = sys({ 'class/power_supply/BAT0/type': 'Battery', 'class/power_supply/BAT0/status': 'Discharging', 'class/power_supply/BAT0/capacity': '15' });
    assert.deepEqual(await readPowerState(linux(low)), { saving: true, reason: 'battery at 15%' });
  });

  it('Linux: plugged in, charging, a full-enough battery, a balanced profile or no battery at all is not', async () => {
    for (const files of <Array<Record<string, string>>>[
      { 'firmware/acpi/platform_profile': 'balanced', 'class/power_supply/AC/type': 'Mains', 'class/power_supply/AC/online': '1' },
      { 'class/power_supply/BAT0/type': 'Battery', 'class/power_supply/BAT0/status': 'Charging', 'class/power_supply/BAT0/capacity': '10' },
      { 'class/power_supply/BAT0/type': 'Battery', 'class/power_supply/BAT0/status': 'Discharging', 'class/power_supply/BAT0/capacity': '64' },
      {},
    ]) {
      assert.deepEqual(await readPowerState(linux(sys(files))), { saving: false }, JSON.stringify(files));
    }
  });

  it('macOS: Low Power Mode, or a low battery on battery power, from pmset', async () => {
    assert.deepEqual(macState(' lowpowermode         1\n sleep 1\n', ''), { saving: true, reason: 'Low Power Mode' });
    const onBattery = "Now drawing from 'Battery Power'\n -InternalBattery-0 (id=1)\t12%; discharging; 0:40 remaining present: true\n";
    assert.deepEqual(macState(' lowpowermode 0\n', onBattery), { saving: true, reason: 'battery at 12%' });
    assert.deepEqual(macState(' lowpowermode 0\n', onBattery.replace('12%', '80%')), { saving: false });
    const calls: string[][] = [];
    const state = await readPowerState({ platform: 'darwin', sysRoot: '/nonexistent', run: async (cmd, args) => (calls.push([cmd, ...args]), args.includes('batt') ? onBattery : '') });
    assert.deepEqual(state, { saving: true, reason: 'battery at 12%' });
    assert.deepEqual(calls, [['pmset', '-g'], ['pmset', '-g', 'batt']]);
  });

  it('a platform it cannot read is unknown (never pauses)', async () => {
    assert.equal(await readPowerState({ platform: 'win32', sysRoot: '/nonexistent', run: async () => '' }), undefined);
  });
});

describe('battery-saver pause: deferred background work', () => {
  it('runs at once when not paused; while paused keeps one job per key and runs them on resume', () => {
    const work = new DeferredWork();
    const ran: string[] = [];
    work.run('build', () => ran.push('build now'));
    assert.deepEqual(ran, ['build now']);
    work.setPaused(true);
    work.run('build', () => ran.push('build 1'));
    work.run('update', () => ran.push('update'));
    work.run('build', () => ran.push('build 2'));
    assert.deepEqual(ran, ['build now'], 'nothing runs while paused');
    assert.deepEqual(work.deferred, ['build', 'update']);
    work.setPaused(false);
    assert.deepEqual(ran, ['build now', 'build 2', 'update'], 'the latest job per key, once each');
    assert.deepEqual(work.deferred, []);
  });
});
