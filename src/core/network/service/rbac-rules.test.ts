import { test } from 'node:test';
import assert from 'node:assert/strict';
import { externalPolicyBlocker, sharedPolicyBlocker } from './rbac-rules.js';

const shared = (targetTenant: string) => ({ action: 'access_as_shared' as const, targetTenant });
const external = (targetTenant: string) => ({ action: 'access_as_external' as const, targetTenant });

test('shared: a targeted policy is in use while its project has ports, unless a wildcard covers it', () => {
  const base = { networkOwner: 'owner' };
  assert.equal(sharedPolicyBlocker({ ...base, policy: shared('p1'), others: [] }, ['p1', 'owner']), 'p1');
  assert.equal(sharedPolicyBlocker({ ...base, policy: shared('p1'), others: [shared('*')] }, ['p1']), null);
  assert.equal(sharedPolicyBlocker({ ...base, policy: shared('p1'), others: [] }, ['p2', '']), null);
  // Self-sharing grants nothing the owner lacks; retargeting to the same project changes nothing.
  assert.equal(sharedPolicyBlocker({ ...base, policy: shared('owner'), others: [] }, ['owner', 'p1']), null);
  assert.equal(sharedPolicyBlocker({ ...base, policy: shared('p1'), newTarget: 'p1', others: [] }, ['p1']), null);
  // The wildcard: every port project needs an entry of its own (or the new target).
  assert.equal(sharedPolicyBlocker({ ...base, policy: shared('*'), others: [shared('p1')] }, ['p1', 'p2']), 'p2');
  assert.equal(sharedPolicyBlocker({ ...base, policy: shared('*'), newTarget: 'p2', others: [shared('p1')] }, ['p1', 'p2']), null);
});

test('external: gateways and floating IPs hold their policy; the default network keeps its wildcard; the last policy needs no users', () => {
  const base = { networkOwner: 'owner' };
  assert.match(externalPolicyBlocker({ ...base, policy: external('*'), others: [] }, ['p2'], false) ?? '', /depend/);
  assert.equal(externalPolicyBlocker({ ...base, policy: external('*'), others: [external('p2')] }, ['p2'], false), null);
  assert.match(externalPolicyBlocker({ ...base, policy: external('p2'), others: [] }, ['p2'], false) ?? '', /depend/);
  assert.equal(externalPolicyBlocker({ ...base, policy: external('p2'), others: [external('*')] }, ['p2'], false), null);
  assert.equal(externalPolicyBlocker({ ...base, policy: external('*'), newTarget: 'p2', others: [] }, ['p2'], false), null);
  assert.match(externalPolicyBlocker({ ...base, policy: external('*'), others: [external('p1')] }, [], true) ?? '', /Default external/);
  assert.equal(externalPolicyBlocker({ ...base, policy: external('p1'), others: [] }, [], false), null);
  // Another project's policy is not in use, but removing the last one would strand a user.
  assert.match(externalPolicyBlocker({ ...base, policy: external('p1'), others: [] }, ['owner'], false) ?? '', /depend/);
});
