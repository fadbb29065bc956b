import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimDataplaneDriver } from './sim-dataplane-driver.js';
import { runScenario } from '../contract/run-contract.js';
import { dataplaneScenarios } from '../contract/scenarios.js';

test('the scenario table has at least 30 scenarios', () => {
  assert.ok(dataplaneScenarios.length >= 30, `only ${dataplaneScenarios.length}`);
  assert.equal(new Set(dataplaneScenarios.map((s) => s.name)).size, dataplaneScenarios.length, 'scenario names are unique');
});

for (const s of dataplaneScenarios) {
  test(`sim contract: ${s.name}`, async () => {
    const report = await runScenario(new SimDataplaneDriver(), s);
    assert.deepEqual(report.failures, []);
  });
}
