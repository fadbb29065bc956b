/** Runs Debian's `openstack` CLI (python3-openstackclient) with a clouds.yaml, parsing `-f json` output. */
import { execFile, spawnSync } from 'node:child_process';

const CLI = '/usr/bin/openstack';

/** A skip reason when the CLI is absent; CI must have it, so there it is an error instead. */
export function openstackMissing(): string | undefined {
  const ok = spawnSync(CLI, ['--version'], { encoding: 'utf8' }).status === 0;
  if (ok) return undefined;
  if (process.env.CI === 'true') throw new Error('CI=true but /usr/bin/openstack is missing: .ci/run must install python3-openstackclient');
  return 'Debian openstack CLI (python3-openstackclient) is not installed';
}

export function openstack(env: Record<string, string>, args: string[], json = true): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    execFile(
      CLI,
      args,
      { env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/root', ...env }, timeout: 60000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`openstack ${args.join(' ')} failed: ${stderr || err.message}`));
        if (!json) return resolve(stdout);
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`openstack ${args.join(' ')}: output is not JSON: ${stdout}`));
        }
      },
    );
  });
}
