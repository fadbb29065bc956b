/**
 * The whole dataplane scenario table, in one list. Driver layer (contract).
 */

import type { Scenario } from './scenario.js';
import { forwardingScenarios } from './scenarios-forwarding.js';
import { routingScenarios } from './scenarios-routing.js';
import { hairpinScenario, securityScenarios } from './scenarios-security.js';

export const dataplaneScenarios: Scenario[] = [...forwardingScenarios, ...routingScenarios, ...securityScenarios, hairpinScenario];
