/**
 * Test fixtures: start PocketStack in this process (for e2e tests) or as a child process (for
 * acceptance tests that drive it with real clients), on a temp HOME and any free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, startPocketStack, type PocketStackConfig, type RunningPocketStack } from '../../src/main.js';

export const ROOT = new URL('../..', import.meta.url).pathname;

export async function startInProcess(overrides: Partial<PocketStackConfig> = {}): Promise<RunningPocketStack & { cleanup(): Promise<void> }> {
  const home = overrides.home ?? mkdtempSync(join(tmpdir(), 'ps-home-'));
  const running = await startPocketStack(defaultConfig({ home, port: 0, adminPassword: 'admin-secret', ...overrides }));
  return {
    ...running,
    async cleanup() {
      await running.close();
      if (!overrides.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface ChildServer {
  url: string;
  home: string;
  proc: ChildProcess;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `pocketstack up` as a child and waits for the ready line: through tsx, from source, or with
 * `launcher`, a built `bin/pocketstack.mjs` run as a command, as users run it.
 */
export function startChild(args: string[], env: Record<string, string> = {}, timeoutMs = 20000, launcher?: string): Promise<ChildServer> {
  const [cmd, argv] = launcher ? [launcher, ['up', ...args]] : [process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), 'up', ...args]];
  const proc = spawn(cmd, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no ready line within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pocketstack exited with ${code} before ready; stderr: ${err}`));
    });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PocketStack ready at (http:\/\/\S+)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      const home = args[args.indexOf('--home') + 1] as string;
      resolve({
        url: m[1] as string,
        home,
        proc,
        stderr: () => err,
        stop: (signal = 'SIGTERM') =>
          new Promise((res) => {
            if (proc.exitCode !== null) return res(proc.exitCode);
            proc.once('exit', (code) => res(code));
            proc.kill(signal);
          }),
      });
    });
  });
}
