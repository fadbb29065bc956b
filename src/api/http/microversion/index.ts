/**
 * Microversion negotiation shared by the Cinder and Nova APIs, plus the named volume versions.
 * Imports only core.
 */
export * from './microversion.js';
export * as volumeMicroversions from './volume-microversion.js';
export { VOLUME_MICROVERSIONS } from './volume-microversion.js';
