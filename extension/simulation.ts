/**
 * Adapter between findings and the simulator (simulator/). Everything the editor shows about a
 * simulation goes through this file, so the hover, the simulation document and the webview agree.
 * Results are memoised per finding: a hover must not re-run a multi-architecture simulation.
 */
import type { Finding, FindingFacts } from '../analyzer/types';

export interface ArchOutcome {
  arch: string;
  /** Short verdict as the simulator words it ("corrupts", "ok", "api is a no-op" …). */
  verdict: string;
  corruptedBytes: number;
  fixedCorruptedBytes?: number;
  firstCorruptOffset?: number;
  /** One concrete example in words: what was expected and what was observed. */
  example?: string;
}

export interface SimulationSummary {
  outcomes: ArchOutcome[];
  /** The simulator's own compact Markdown (one verdict line per architecture plus an example). */
  markdown?: string;
}

export type Variant = 'as-written' | 'with-fix';

/** Where simulations run: in the extension, a worker thread (the extension host never waits on one). */
export interface SimulationBackend {
  summarize(facts: FindingFacts, archs: string[]): Promise<SimulationSummary | undefined>;
  /** SVG/HTML fragment of the timeline of one architecture (no scripts, no inline styles). */
  timeline(facts: FindingFacts, arch: string, variant: Variant): Promise<string | undefined>;
}

export const noSimulation: SimulationBackend = {
  summarize: async () => undefined,
  timeline: async () => undefined,
};

/** Memoised summaries: a finding's facts × architectures are simulated once. */
export class SimulationCache {
  private readonly memo = new Map<string, Promise<SimulationSummary | undefined>>();

  constructor(private readonly backend: SimulationBackend, private readonly limit = 256) {}

  private key(f: Finding, archs: string[]): string {
    return JSON.stringify([f.facts, archs]);
  }

  summarize(f: Finding, archs: string[]): Promise<SimulationSummary | undefined> {
    const key = this.key(f, archs);
    let p = this.memo.get(key);
    if (!p) {
      p = this.backend.summarize(f.facts, archs).catch(() => undefined);
      if (this.memo.size >= this.limit) this.memo.delete(this.memo.keys().next().value as string);
      this.memo.set(key, p);
    }
    return p;
  }

  async timeline(f: Finding, arch: string, variant: Variant): Promise<string | undefined> {
    try {
      return await this.backend.timeline(f.facts, arch, variant);
    } catch {
      return undefined;
    }
  }
}
