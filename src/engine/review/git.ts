/**
 * The few git plumbing calls review and provenance need. git is run with an argument vector (never a
 * shell), with a time limit and the user's signal, and its failures become GIT_FAILED with git's own
 * message: "not a git repository" is the common one and the user should see it as git says it.
 */
import { execFile } from 'node:child_process';
import { KeelError } from '../../common/errors';

export interface GitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Exit codes that are answers, not failures (e.g. 1 from `diff --quiet`). */
  okCodes?: number[];
}

export function git(cwd: string, args: string[], options: GitOptions = {}): Promise<{ stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      // Quoted paths would break the diff parser; colour or a pager would break everything.
      ['-c', 'core.quotePath=false', '-c', 'color.ui=false', '--no-pager', ...args],
      {
        cwd,
        signal: options.signal,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, code: 0 });
        const code = typeof error.code === 'number' ? error.code : -1;
        if (options.okCodes?.includes(code)) return resolve({ stdout, code });
        if (error.name === 'AbortError') return reject(new KeelError('CANCELLED', 'The request was cancelled.'));
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new KeelError('GIT_FAILED', 'git is not installed or not on PATH.'));
        const message = (stderr || error.message).trim().split('\n').slice(0, 3).join(' ');
        reject(new KeelError('GIT_FAILED', `git ${args[0]} failed: ${message}`));
      },
    );
  });
}

export async function gitTopLevel(cwd: string, signal?: AbortSignal): Promise<string> {
  return (await git(cwd, ['rev-parse', '--show-toplevel'], { signal })).stdout.trim();
}

export async function gitHead(top: string, signal?: AbortSignal): Promise<string | undefined> {
  const r = await git(top, ['rev-parse', '--verify', '-q', 'HEAD'], { signal, okCodes: [1] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** `name <email>` of the configured git user, or '' when none is set. */
export async function gitUser(top: string, signal?: AbortSignal): Promise<string> {
  const name = (await git(top, ['config', 'user.name'], { signal, okCodes: [1] })).stdout.trim();
  const email = (await git(top, ['config', 'user.email'], { signal, okCodes: [1] })).stdout.trim();
  return email ? `${name} <${email}>` : name;
}

/** A file's text at a revision (`:` = the index), or undefined when it does not exist there. */
export async function gitShow(top: string, rev: string, path: string, signal?: AbortSignal): Promise<string | undefined> {
  const r = await git(top, ['show', `${rev}:${path}`], { signal, okCodes: [128] });
  return r.code === 0 ? r.stdout : undefined;
}
