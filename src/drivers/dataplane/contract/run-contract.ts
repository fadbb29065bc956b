/**
 * Runs the scenario table against any DataplaneDriver: plan the scenario's topology, apply every
 * host's spec, check port statuses, trace each probe, compare. Returns failures as sentences instead
 * of asserting, so any test runner (or `pocketstack bench`) can drive it.
 * Driver layer (contract): imports core/network (planner, sketches) and core/ports.
 */

import { Planner, type PlannerOptions } from '../../../core/network/plan/planner.js';
import { topologyFromSketch } from '../../../core/network/topology/sketch.js';
import { canTrace, type DataplaneDriver, type TraceHop, type TraceResult } from '../../../core/ports/dataplane-driver.js';
import type { ExpectedHop, Scenario } from './scenario.js';

export interface ContractOptions {
  /** Compare key hops, not only verdicts (a kernel driver may report coarser hops). Default true. */
  checkHops?: boolean;
  planner?: PlannerOptions;
}

export interface ScenarioReport {
  scenario: string;
  failures: string[];
  results: { probe: string; result: TraceResult }[];
}

function hopMatches(h: TraceHop, e: ExpectedHop): boolean {
  return (
    h.step === e.step &&
    (e.node === undefined || h.node === e.node) &&
    (e.ok === undefined || h.ok === e.ok) &&
    (e.ruleId === undefined || h.ruleId === e.ruleId) &&
    (e.nat === undefined || h.nat?.kind === e.nat) &&
    (e.detail === undefined || h.detail.includes(e.detail))
  );
}

/** Finds `expected` in `hops` as an ordered subsequence; returns the first expected hop not found. */
export function missingHop(hops: TraceHop[], expected: ExpectedHop[]): ExpectedHop | null {
  let i = 0;
  for (const e of expected) {
    while (i < hops.length && !hopMatches(hops[i]!, e)) i++;
    if (i === hops.length) return e;
    i++;
  }
  return null;
}

const showHops = (hops: TraceHop[]) => hops.map((h) => `    ${h.ok ? '✓' : '✗'} ${h.step} ${h.node}: ${h.detail}${h.ruleId ? ` [${h.ruleId}]` : ''}`).join('\n');

export async function runScenario(driver: DataplaneDriver, s: Scenario, o: ContractOptions = {}): Promise<ScenarioReport> {
  const failures: string[] = [];
  const results: ScenarioReport['results'] = [];
  const planner = new Planner(o.planner);
  planner.load(topologyFromSketch(s.topology));
  await driver.start();
  try {
    const statuses: Record<string, string> = {};
    for (const spec of planner.hostSpecs()) {
      const r = await driver.apply(spec);
      if (r.realizedGeneration !== spec.generation) failures.push(`host ${spec.hostId}: realized generation ${r.realizedGeneration}, expected ${spec.generation}`);
      Object.assign(statuses, r.ports);
    }
    for (const [port, want] of Object.entries(s.portStatus ?? {})) {
      if (statuses[port] !== want) failures.push(`port ${port}: status ${statuses[port] ?? 'missing'}, expected ${want}`);
    }
    if (!canTrace(driver)) {
      failures.push(`driver ${driver.name} cannot trace`);
      return { scenario: s.name, failures, results };
    }
    for (const p of s.probes) {
      const r = await driver.trace(p.probe);
      results.push({ probe: p.name, result: r });
      const bad: string[] = [];
      if (r.verdict !== p.expect.verdict) bad.push(`verdict ${r.verdict} (${r.summary}), expected ${p.expect.verdict}`);
      if (p.expect.summary && !r.summary.includes(p.expect.summary)) bad.push(`summary "${r.summary}" lacks "${p.expect.summary}"`);
      if (o.checkHops !== false) {
        const miss = p.expect.hops && missingHop(r.hops, p.expect.hops);
        if (miss) bad.push(`no hop matching ${JSON.stringify(miss)}`);
        const missR = p.expect.replyHops && missingHop(r.reply?.hops ?? [], p.expect.replyHops);
        if (missR) bad.push(`no reply hop matching ${JSON.stringify(missR)}`);
      }
      for (const [k, v] of Object.entries(p.expect.dhcpOffer ?? {})) {
        const got = r.dhcpOffer?.[k as keyof typeof r.dhcpOffer];
        if (JSON.stringify(got) !== JSON.stringify(v)) bad.push(`dhcpOffer.${k} = ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`);
      }
      if (bad.length) {
        failures.push(`${p.name}: ${bad.join('; ')}\n  hops:\n${showHops(r.hops)}${r.reply ? `\n  reply:\n${showHops(r.reply.hops)}` : ''}`);
      }
    }
  } finally {
    await driver.stop();
  }
  return { scenario: s.name, failures, results };
}
