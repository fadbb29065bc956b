/**
 * The scheduler's capability filter for our one backend: a volume type's extra specs that name a
 * backend capability (`volume_backend_name`, `storage_protocol`, `vendor_name`, bare or with the
 * `capabilities:` scope) must match what the backend reports, or no backend can take the volume.
 * Other keys (multiattach, QoS, driver-scoped specs) are not capability constraints here.
 * Pure: imports nothing.
 */

/** What the one local backend reports (the pools and capabilities views show the same values). */
export const BACKEND_CAPABILITIES: Readonly<Record<string, string>> = {
  volume_backend_name: 'local',
  storage_protocol: 'nbd',
  vendor_name: 'Open Source',
  pool_name: 'local',
  driver_version: '1.0',
};

/** Cinder's extra-spec operators this filter understands; others are treated as plain values. */
function matches(required: string, actual: string): boolean {
  const r = required.trim();
  const ci = (s: string) => s.toLowerCase();
  if (r.startsWith('<in>')) return actual.includes(r.slice(4).trim());
  if (r.startsWith('<or>')) return r.split('<or>').map((x) => x.trim()).filter(Boolean).includes(actual);
  if (r.startsWith('s==')) return r.slice(3).trim() === actual;
  if (r.startsWith('s!=')) return r.slice(3).trim() !== actual;
  if (r.startsWith('<is>')) return false; // booleans are not string capabilities
  // storage_protocol compares case-insensitively, as Cinder treats 'iSCSI' and 'iscsi' alike.
  return ci(r) === ci(actual);
}

/** The first extra spec that rules the backend out, or undefined when the backend fits. */
export function unmetCapability(extraSpecs: Record<string, string>): { key: string; value: string } | undefined {
  for (const [rawKey, value] of Object.entries(extraSpecs)) {
    const key = rawKey.startsWith('capabilities:') ? rawKey.slice('capabilities:'.length) : rawKey;
    if (key.includes(':')) continue;
    const actual = BACKEND_CAPABILITIES[key];
    if (actual === undefined) continue;
    if (!matches(value, actual)) return { key: rawKey, value };
  }
  return undefined;
}
