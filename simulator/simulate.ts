/**
 * The simulator's entry points for the CLI, `scan --simulate` and the extension's hover: run a
 * named scenario or a finding's scenario on a set of architecture profiles.
 */
import type { FindingFacts } from '../analyzer/types';
import { PROFILES, profileById, type ArchProfile } from './profiles';
import { runScenario, type ArchResult, type RunOptions } from './run';
import { namedScenario, scenarioFromFacts, type Scenario, type ScenarioName } from './scenarios';

export interface SimulationReport {
  scenario: string;
  title: string;
  description: string;
  direction: 'write' | 'read';
  sizeBytes: number;
  fixDescription: string;
  assumptions: string[];
  results: ArchResult[];
}

/** Resolve profile ids ("all" or omitted = every profile); throws on an unknown id. */
export function resolveProfiles(ids?: readonly string[]): ArchProfile[] {
  if (!ids || ids.length === 0 || ids.includes('all')) return [...PROFILES];
  return ids.map((id) => {
    const p = profileById(id);
    if (!p) throw new Error(`unknown architecture profile '${id}' (known: ${PROFILES.map((x) => x.id).join(', ')}, all)`);
    return p;
  });
}

export function simulateScenario(sc: Scenario, archs?: readonly string[], opts?: RunOptions): SimulationReport {
  const results = resolveProfiles(archs).map((p) => runScenario(p, sc, opts));
  return {
    scenario: sc.name,
    title: sc.title,
    description: sc.description,
    direction: sc.direction,
    sizeBytes: sc.sizeBytes,
    fixDescription: sc.fixDescription,
    assumptions: sc.assumptions,
    results,
  };
}

export function simulateNamed(name: ScenarioName, archs?: readonly string[], sizeBytes?: number, opts?: RunOptions): SimulationReport {
  return simulateScenario(namedScenario(name, sizeBytes), archs, opts);
}

export interface FindingSimOptions extends RunOptions {
  /**
   * Replay at most this many bytes of a larger buffer (default 32 KB): a hover must stay within a
   * few milliseconds. The report's assumptions say so when it applies.
   */
  maxBytes?: number;
}

export const HOVER_MAX_BYTES = 32 * 1024;

/**
 * A finding's simulation on every profile (or the given ones). Timeline frames are left out by
 * default: hovers and `scan --simulate` need verdicts, bytes and steps, not pictures.
 */
export function simulateFinding(facts: FindingFacts, archs?: string[], opts: FindingSimOptions = {}): SimulationReport {
  const max = opts.maxBytes ?? HOVER_MAX_BYTES;
  const capped = facts.sizeBytes !== undefined && facts.sizeBytes > max;
  const sc = scenarioFromFacts(capped ? { ...facts, sizeBytes: max } : facts);
  if (capped) sc.assumptions.unshift(`The buffer is ${facts.sizeBytes} bytes; the simulation replays its first ${max} bytes.`);
  return simulateScenario(sc, archs, { frames: opts.frames ?? false, speculate: opts.speculate });
}

/**
 * Runs three typical findings a few times so V8 optimises the hot path: a cold first simulation
 * is interpreted (about 30 ms on the main thread, plus JIT work on V8's helper threads), a warm one
 * takes a few milliseconds. The extension can call this once, off the critical path (e.g. in its
 * worker after start-up), before the first hover.
 */
export function warmUp(rounds = 3): void {
  const facts: FindingFacts[] = [
    { rule: 'vmap-io-missing-flush', direction: 'write', cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
    { rule: 'vmap-io-missing-invalidate', direction: 'read', cpuWroteBefore: false, cpuReadsAfter: true, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
    { rule: 'vmap-io-missing-flush', direction: 'read', cpuWroteBefore: true, cpuReadsAfter: true, hasFlush: false, hasInvalidate: true, source: 'vmalloc' },
  ];
  for (let i = 0; i < rounds; i++) for (const f of facts) simulateFinding(f);
}
