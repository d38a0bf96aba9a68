/**
 * Is the machine saving power? Background indexing (embedding thousands of chunks) is exactly the work a
 * laptop in battery-saver mode should not be doing, so the indexing surface defers it while this says
 * so. Plain Node (no `vscode`): VS Code has no power API, so the operating system is asked directly.
 *
 * - Linux: the ACPI platform profile ("low-power", what GNOME/KDE's power-saver mode sets), or running
 *   on a battery that is discharging at or below LOW_BATTERY_PERCENT.
 * - macOS: Low Power Mode (`pmset -g`), or the battery at or below LOW_BATTERY_PERCENT (`pmset -g batt`).
 * - Elsewhere (Windows has no cheap probe): unknown, which never pauses anything.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PowerState {
  saving: boolean;
  /** Why, for the status bar ("low-power profile", "battery at 15%"). */
  reason?: string;
}

export const LOW_BATTERY_PERCENT = 20;

export interface PowerProbeDeps {
  platform: NodeJS.Platform;
  /** Root of sysfs (tests point it at a fake tree). */
  sysRoot: string;
  /** Runs a command and returns its stdout ('' if it fails). */
  run(command: string, args: string[]): Promise<string>;
}

const defaultDeps: PowerProbeDeps = {
  platform: process.platform,
  sysRoot: '/sys',
  run: (command, args) =>
    new Promise((resolve) => execFile(command, args, { timeout: 2000, windowsHide: true }, (error, stdout) => resolve(error ? '' : String(stdout)))),
};

/** The current state, or undefined when this platform cannot tell. Never throws. */
export async function readPowerState(deps: PowerProbeDeps = defaultDeps): Promise<PowerState | undefined> {
  try {
    if (deps.platform === 'linux') return await linuxState(deps.sysRoot);
    if (deps.platform === 'darwin') return macState(await deps.run('pmset', ['-g']), await deps.run('pmset', ['-g', 'batt']));
  } catch {
    /* unreadable: treat as unknown */
  }
  return undefined;
}

async function linuxState(sysRoot: string): Promise<PowerState> {
  const profile = (await readFile(join(sysRoot, 'firmware', 'acpi', 'platform_profile'), 'utf8').catch(() => '')).trim();
  if (profile === 'low-power') return { saving: true, reason: 'low-power profile' };
  const supplies = join(sysRoot, 'class', 'power_supply');
  for (const name of await readdir(supplies).catch(() => [] as string[])) {
    const read = (file: string): Promise<string> => readFile(join(supplies, name, file), 'utf8').then((s) => s.trim(), () => '');
    if ((await read('type')) !== 'Battery' || (await read('status')) !== 'Discharging') continue;
    const capacity = Number(await read('capacity'));
    if (Number.isFinite(capacity) && capacity <= LOW_BATTERY_PERCENT) return { saving: true, reason: `battery at ${capacity}%` };
  }
  return { saving: false };
}

/** `pmset -g` has a `lowpowermode 1` line when Low Power Mode is on; `pmset -g batt` says where power comes from. */
export function macState(settings: string, battery: string): PowerState {
  if (/^\s*lowpowermode\s+1\s*$/m.test(settings)) return { saving: true, reason: 'Low Power Mode' };
  const percent = /(\d+)%;\s*discharging/i.exec(battery);
  if (/'Battery Power'/.test(battery) && percent && Number(percent[1]) <= LOW_BATTERY_PERCENT) return { saving: true, reason: `battery at ${percent[1]}%` };
  return { saving: false };
}
