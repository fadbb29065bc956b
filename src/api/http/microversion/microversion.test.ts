import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput, isDomainError } from '../../../core/errors.js';
import {
  type MicroversionPolicy,
  MicroversionNotAcceptable,
  atLeast,
  compareVersions,
  formatVersion,
  inRange,
  microversionResponseHeaders,
  negotiateMicroversion,
  parseVersion,
  selectByVersion,
} from './microversion.js';
import * as mv from './volume-microversion.js';

const compute: MicroversionPolicy = {
  service: 'compute',
  min: '2.1',
  max: '2.79',
  legacyHeader: 'X-OpenStack-Nova-API-Version',
};

test('parseVersion accepts X.Y and rejects anything else with Cinder/Nova wording (400)', () => {
  assert.deepEqual(parseVersion('3.44'), { major: 3, minor: 44 });
  assert.deepEqual(parseVersion('3.0'), { major: 3, minor: 0 });
  for (const bad of ['3', '3.', '.4', '03.1', '3.01', '3.4.1', 'v3.4', ' 3.4', '3.x', '-3.1', 'latest']) {
    assert.throws(
      () => parseVersion(bad),
      (e: unknown) =>
        e instanceof InvalidInput &&
        e.status === 400 &&
        e.type === 'InvalidAPIVersionString' &&
        e.message === `API Version String ${bad} is of invalid format. Must be of format MajorNum.MinorNum.`,
      bad,
    );
  }
});

test('versions compare numerically per part, not as strings or floats', () => {
  assert.ok(compareVersions('3.10', '3.9') > 0);
  assert.ok(compareVersions('3.9', '3.10') < 0);
  assert.equal(compareVersions('3.40', parseVersion('3.40')), 0);
  assert.ok(compareVersions('4.0', '3.70') > 0);
  assert.ok(atLeast('3.40', mv.VOLUME_REVERT));
  assert.ok(atLeast('3.100', mv.VOLUME_REVERT));
  assert.ok(!atLeast('3.4', mv.VOLUME_REVERT));
  assert.ok(inRange('3.5', '3.0'));
  assert.ok(inRange('3.5', '3.0', '3.5'));
  assert.ok(!inRange('3.6', '3.0', '3.5'));
  assert.equal(formatVersion(parseVersion('2.79')), '2.79');
});

test('selectByVersion picks the range that contains the version', () => {
  const choices = [
    { min: '3.0', max: '3.47', value: 'old' },
    { min: '3.48', value: 'new' },
  ];
  assert.equal(selectByVersion('3.47', choices), 'old');
  assert.equal(selectByVersion('3.48', choices), 'new');
  assert.equal(selectByVersion('2.0', choices), undefined);
});

test('volume: no header means the minimum; latest means the maximum', () => {
  assert.deepEqual(negotiateMicroversion({}, mv.VOLUME_MICROVERSIONS), { major: 3, minor: 0 });
  assert.deepEqual(
    negotiateMicroversion({ 'openstack-api-version': 'volume latest' }, mv.VOLUME_MICROVERSIONS),
    { major: 3, minor: 67 },
  );
});

test('volume: the header is case-insensitive, may list several services, and other services are ignored', () => {
  const p = mv.VOLUME_MICROVERSIONS;
  assert.equal(formatVersion(negotiateMicroversion({ 'OpenStack-API-Version': 'volume 3.44' }, p)), '3.44');
  assert.equal(formatVersion(negotiateMicroversion({ 'openstack-api-version': 'Volume 3.44' }, p)), '3.44');
  assert.equal(
    formatVersion(negotiateMicroversion({ 'openstack-api-version': 'compute 2.1, volume 3.27' }, p)),
    '3.27',
  );
  assert.equal(formatVersion(negotiateMicroversion({ 'openstack-api-version': ['compute 2.5', 'volume 3.9'] }, p)), '3.9');
  assert.equal(formatVersion(negotiateMicroversion({ 'openstack-api-version': 'compute 2.79' }, p)), '3.0');
});

test('volume: out of range is 406 with Cinder message; malformed is 400', () => {
  for (const v of ['3.68', '3.71', '2.0', '4.0']) {
    assert.throws(
      () => negotiateMicroversion({ 'openstack-api-version': `volume ${v}` }, mv.VOLUME_MICROVERSIONS),
      (e: unknown) =>
        e instanceof MicroversionNotAcceptable &&
        isDomainError(e) &&
        e.status === 406 &&
        e.type === 'InvalidGlobalAPIVersion' &&
        e.message === `Version ${v} is not supported by the API. Minimum is 3.0 and maximum is 3.67.`,
    );
  }
  assert.throws(
    () => negotiateMicroversion({ 'openstack-api-version': 'volume 3.x' }, mv.VOLUME_MICROVERSIONS),
    (e: unknown) => e instanceof InvalidInput && e.status === 400,
  );
});

test('compute: standard header wins over the legacy one; the legacy one alone works', () => {
  assert.equal(
    formatVersion(
      negotiateMicroversion(
        { 'openstack-api-version': 'compute 2.60', 'x-openstack-nova-api-version': '2.10' },
        compute,
      ),
    ),
    '2.60',
  );
  assert.equal(formatVersion(negotiateMicroversion({ 'X-OpenStack-Nova-API-Version': '2.10' }, compute)), '2.10');
  assert.equal(formatVersion(negotiateMicroversion({ 'x-openstack-nova-api-version': 'latest' }, compute)), '2.79');
  assert.equal(formatVersion(negotiateMicroversion({}, compute)), '2.1');
  assert.throws(() => negotiateMicroversion({ 'x-openstack-nova-api-version': '2.80' }, compute), MicroversionNotAcceptable);
});

test('response headers echo the version and Vary on the version headers', () => {
  assert.deepEqual(microversionResponseHeaders(parseVersion('3.44'), mv.VOLUME_MICROVERSIONS), {
    'OpenStack-API-Version': 'volume 3.44',
    Vary: 'OpenStack-API-Version',
  });
  assert.deepEqual(microversionResponseHeaders(parseVersion('2.79'), compute), {
    'OpenStack-API-Version': 'compute 2.79',
    'X-OpenStack-Nova-API-Version': '2.79',
    Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
  });
});

test('the volume table is well-formed: every constant parses, names are unique, versions increase', () => {
  const entries = Object.entries(mv).filter(([, v]) => typeof v === 'string') as Array<[string, string]>;
  const named = entries.filter(([k]) => k !== 'VOLUME_API_MIN' && k !== 'VOLUME_API_MAX');
  const versions = named.map(([, v]) => v);
  for (const v of versions) parseVersion(v);
  assert.equal(new Set(versions).size, versions.length, 'one name per version');
  assert.equal(versions.length, 71, '3.0 through 3.70');
  assert.equal(mv.VOLUME_REVERT, '3.40');
  assert.equal(mv.VOLUME_API_MAX, '3.67', 'what is advertised: 3.68-3.70 are not built');
});
