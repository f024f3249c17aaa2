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

/**
 * A finding's simulation on every profile (or the given ones). Timeline frames are left out by
 * default: hovers and `scan --simulate` need verdicts, bytes and steps, not pictures.
 */
export function simulateFinding(facts: FindingFacts, archs?: string[], opts: RunOptions = { frames: false }): SimulationReport {
  return simulateScenario(scenarioFromFacts(facts), archs, opts);
}
