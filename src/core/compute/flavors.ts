/**
 * The built-in flavors. Servers here are simulated, so a flavor only names a size users recognise
 * from every OpenStack cloud; the ids are the classic small integers that scripts hard-code.
 * Pure core.
 */
import { NotFound } from '../errors.js';
import type { Flavor } from '../model/compute.js';

const flavor = (id: string, name: string, vcpus: number, ramMb: number, diskGb: number): Flavor => ({
  id, name, vcpus, ramMb, diskGb, ephemeralGb: 0, swapMb: 0, isPublic: true,
});

export const BUILTIN_FLAVORS: readonly Flavor[] = Object.freeze([
  flavor('1', 'm1.tiny', 1, 512, 1),
  flavor('2', 'm1.small', 1, 2048, 20),
  flavor('3', 'm1.medium', 2, 4096, 40),
  flavor('4', 'm1.large', 4, 8192, 80),
  flavor('5', 'm1.xlarge', 8, 16384, 160),
  flavor('42', 'm1.nano', 1, 128, 1),
  flavor('84', 'm1.micro', 1, 192, 1),
]);

export function listFlavors(): Flavor[] {
  return [...BUILTIN_FLAVORS];
}

/** By id (what the API takes); Nova answers an unknown flavor with 404 itemNotFound. */
export function getFlavor(id: string): Flavor {
  const f = BUILTIN_FLAVORS.find((x) => x.id === id);
  if (!f) throw new NotFound(`Flavor ${id} could not be found.`, 'FlavorNotFound');
  return f;
}

export function findFlavor(id: string): Flavor | undefined {
  return BUILTIN_FLAVORS.find((x) => x.id === id);
}
