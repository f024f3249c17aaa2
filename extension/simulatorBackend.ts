/**
 * Binds the simulator (simulator/) to what the editor shows: verdicts and the simulator's own
 * hover Markdown for a finding, and for the simulation view the SVG timeline of one architecture
 * plus the step list of the chosen variant (as written / with the fix). Pure: runs in the worker.
 */
import type { FindingFacts } from '../analyzer/types';
import { byteExample, PROFILE_IDS, renderMarkdown, renderSvg, simulateFinding } from '../simulator/index';
import type { ArchResult, RunResult } from '../simulator/index';
import type { SimulationSummary, Variant } from './simulation';
import { escapeHtml } from './simulationHtml';

function plain(s: string): string {
  return s.replace(/`/g, '');
}

function stepsTable(run: RunResult, label: string): string {
  const rows = run.steps.map((s) => `<tr><td>${s.n}</td><td><code>${escapeHtml(s.call)}</code></td><td>${escapeHtml(s.text)}</td></tr>`).join('');
  const verdict = run.corruptedBytes > 0 ? `${run.corruptedBytes} bytes corrupted` : 'no corruption';
  return `<h2 id="vm-variant-title">${escapeHtml(label)}: ${escapeHtml(verdict)}</h2>`
    + `<p class="vm-bytes">expected <code>${escapeHtml(run.expected)}</code><br>observed <code>${escapeHtml(run.observed)}</code></p>`
    + `<table class="vm-steps"><thead><tr><th>#</th><th>operation</th><th>what happens in the cache</th></tr></thead><tbody>${rows}</tbody></table>`
    + (run.notes.length ? `<ul class="vm-notes">${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '');
}

export function summarizeFacts(facts: FindingFacts, archs: string[]): SimulationSummary | undefined {
  const known = archs.filter((a) => PROFILE_IDS.includes(a));
  if (known.length === 0) return undefined;
  const rep = simulateFinding(facts, known);
  return {
    markdown: renderMarkdown(rep),
    outcomes: rep.results.map((r: ArchResult) => ({
      arch: r.arch,
      verdict: r.verdict === 'corrupted' ? `corrupted (${r.indexing})` : `ok (${r.indexing})`,
      corruptedBytes: r.corruptedBytes,
      fixedCorruptedBytes: r.fixed.corruptedBytes,
      firstCorruptOffset: r.firstCorruptOffset ?? undefined,
      example: r.corruptedBytes > 0 ? plain(byteExample(r)) : undefined,
    })),
  };
}

export function timelineHtml(facts: FindingFacts, arch: string, variant: Variant): string | undefined {
  if (!PROFILE_IDS.includes(arch)) return undefined;
  const rep = simulateFinding(facts, [arch], { frames: true });
  const r = rep.results[0];
  if (!r) return undefined;
  const run = variant === 'with-fix' ? r.fixed : r;
  const label = variant === 'with-fix' ? `With the fix (${rep.fixDescription})` : 'As written';
  return renderSvg(rep, { inlineCss: false }) + stepsTable(run, label)
    + (rep.assumptions.length ? `<details><summary>Assumptions</summary><ul>${rep.assumptions.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul></details>` : '');
}
