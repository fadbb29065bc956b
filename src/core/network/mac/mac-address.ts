/**
 * MAC addresses: validate and normalize to the lowercase colon form Neutron stores, and generate
 * random ones under a base prefix (Neutron's base_mac, fa:16:3e:00:00:00 by default). Pure core:
 * randomness is injected, so tests are deterministic and the module runs in a browser.
 */
import { InvalidInput, Unavailable } from '../../errors.js';

export const DEFAULT_BASE_MAC = 'fa:16:3e:00:00:00';

/** A source of uniform numbers in [0, 1), like Math.random. */
export type RandomSource = () => number;

function parseMacBytes(text: string): number[] | null {
  if (typeof text !== 'string') return null;
  let hex: string[] | null = null;
  if (/^[0-9a-fA-F]{1,2}([:-])[0-9a-fA-F]{1,2}(\1[0-9a-fA-F]{1,2}){4}$/.test(text)) hex = text.split(/[:-]/);
  else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text)) hex = text.replace(/\./g, '').match(/../g);
  else if (/^[0-9a-fA-F]{12}$/.test(text)) hex = text.match(/../g);
  return hex === null ? null : hex.map((h) => parseInt(h, 16));
}

function formatMacBytes(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * Neutron refuses the all-zero and broadcast addresses as port MACs even though they parse.
 * Returns null when `text` is not an acceptable MAC.
 */
export function tryNormalizeMac(text: string): string | null {
  const bytes = parseMacBytes(text);
  if (bytes === null) return null;
  const mac = formatMacBytes(bytes);
  if (mac === '00:00:00:00:00:00' || mac === 'ff:ff:ff:ff:ff:ff') return null;
  return mac;
}

/** Lowercase colon form ("fa:16:3e:0a:0b:0c"); InvalidInput in Neutron's port wording otherwise. */
export function normalizeMac(text: string): string {
  const mac = tryNormalizeMac(text);
  if (mac === null) {
    throw new InvalidInput(`Invalid input for mac_address. Reason: '${String(text)}' is not a valid MAC address.`, 'HTTPBadRequest');
  }
  return mac;
}

export function isMacAddress(text: string): boolean {
  return tryNormalizeMac(text) !== null;
}

/** The group bit: such an address can never be a port's own. */
export function isMulticastMac(mac: string): boolean {
  const bytes = parseMacBytes(mac);
  return bytes !== null && (bytes[0]! & 1) === 1;
}

function randomByte(random: RandomSource): number {
  const n = Math.floor(random() * 256);
  return n < 0 ? 0 : n > 255 ? 255 : n;
}

/**
 * A random MAC under `baseMac`, as Neutron draws one: the first three octets always come from the
 * base; each of the last three comes from the base when it is non-zero there and is random
 * otherwise (so "fa:16:3e:4a:00:00" pins the fourth octet too).
 */
export function generateMac(random: RandomSource, baseMac: string = DEFAULT_BASE_MAC): string {
  const base = parseMacBytes(baseMac);
  if (base === null) throw new InvalidInput(`'${baseMac}' is not a valid base MAC address`, 'InvalidInput');
  if ((base[0]! & 1) === 1) throw new InvalidInput(`base MAC '${baseMac}' is a multicast address`, 'InvalidInput');
  const out = base.slice(0, 3);
  for (let i = 3; i < 6; i++) out.push(base[i] !== 0 ? base[i]! : randomByte(random));
  return formatMacBytes(out);
}

/**
 * Draws until `isInUse` says no, at most `maxAttempts` times (Neutron's mac_generation_retries,
 * 16); then Unavailable (503) NetworkMacAddressGenerationFailure. `isInUse` is the caller's
 * synchronous view; the store's unique constraint on (network, mac) stays the arbiter.
 */
export function generateUniqueMac(
  random: RandomSource,
  isInUse: (mac: string) => boolean,
  options: { baseMac?: string; maxAttempts?: number; networkId?: string } = {},
): string {
  const attempts = options.maxAttempts ?? 16;
  for (let i = 0; i < attempts; i++) {
    const mac = generateMac(random, options.baseMac);
    if (!isInUse(mac)) return mac;
  }
  throw new Unavailable(
    `Unable to generate unique mac on network ${options.networkId ?? ''}.`,
    'NetworkMacAddressGenerationFailure',
  );
}
