/** Writes HOME/clouds.yaml with the `pocketstack` (admin) and `pocketstack-demo` (member of demo) clouds. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface CloudsSpec {
  authUrl: string;
  region: string;
  adminPassword: string;
  demoPassword: string;
}

export function cloudsYaml(s: CloudsSpec): string {
  const cloud = (username: string, password: string, project: string) => ({
    auth: { auth_url: s.authUrl, username, password, project_name: project, user_domain_name: 'Default', project_domain_name: 'Default' },
    region_name: s.region,
    interface: 'public',
    identity_api_version: 3,
  });
  return stringify({
    clouds: {
      pocketstack: cloud('admin', s.adminPassword, 'admin'),
      'pocketstack-demo': cloud('demo', s.demoPassword, 'demo'),
    },
  });
}

export function writeCloudsYaml(home: string, s: CloudsSpec): string {
  const path = join(home, 'clouds.yaml');
  writeFileSync(path, cloudsYaml(s), { mode: 0o600 });
  return path;
}
