/**
 * The two shapes Neutron gives a bad subnet request, so every subnet rule words its errors alike.
 * Pure core: imports only core/errors.
 *
 * - An attribute that fails its validator: HTTP 400, type `HTTPBadRequest`,
 *   "Invalid input for cidr. Reason: <why>."
 * - A rule across attributes: HTTP 400, type `InvalidInput`, "Invalid input for operation: <why>."
 */
import { InvalidInput } from '../../errors.js';

export function invalidAttribute(attribute: string, reason: string): InvalidInput {
  return new InvalidInput(`Invalid input for ${attribute}. Reason: ${reason}.`, 'HTTPBadRequest');
}

export function invalidOperation(reason: string): InvalidInput {
  return new InvalidInput(`Invalid input for operation: ${reason}.`, 'InvalidInput');
}

/** Python's repr of a list of strings, which Neutron embeds in "is not in [...]" messages. */
export function pyList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}
