/**
 * Markdown for a finding: the hover (compact) and the full simulation document. Pure (no `vscode`)
 * so that unit tests check the text people read.
 */
import type { Finding, TraceStep } from '../analyzer/types';
import { ruleDocMarkdown } from './ruleDocs';
import type { SimulationSummary } from './simulation';

export interface FindingLinks {
  /** command: URI that opens the simulation view. */
  simulation?: string;
  /** command: URI that opens the rule explanation. */
  rule?: string;
}

const KIND_LABEL: Record<TraceStep['kind'], string> = {
  alloc: 'allocated',
  flow: 'flows',
  'cpu-write': 'CPU write',
  page: 'page',
  'page-add': 'pages added',
  submit: 'submitted',
  complete: 'completed',
  'cpu-read': 'CPU read',
  maintenance: 'maintenance',
  convert: 'conversion',
};

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|]/g, (c) => `\\${c}`);
}

function code(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** "line 12: allocated with vzalloc here → line 20: … " as a Markdown list. */
export function traceMarkdown(f: Finding): string {
  return f.trace.map((s) => `- line ${s.span.start.line} · *${KIND_LABEL[s.kind]}* — ${escapeMd(s.message)}`).join('\n');
}

export function verdictTable(sim: SimulationSummary): string {
  const rows = sim.outcomes.map((o) => {
    const asWritten = o.corruptedBytes > 0 ? `✗ ${o.corruptedBytes} B corrupted` : `✓ ${escapeMd(o.verdict)}`;
    const fixed = o.fixedCorruptedBytes === undefined ? '—' : o.fixedCorruptedBytes > 0 ? `✗ ${o.fixedCorruptedBytes} B` : '✓ 0 B';
    return `| ${escapeMd(o.arch)} | ${asWritten} | ${fixed} |`;
  });
  return ['| architecture | as written | with fix |', '|---|---|---|', ...rows].join('\n');
}

function firstExample(sim: SimulationSummary): string | undefined {
  return sim.outcomes.find((o) => o.corruptedBytes > 0 && o.example)?.example;
}

/** The path in one line: "allocated (line 29) → CPU write (line 32) → … → submitted (line 42)". */
export function flowLine(f: Finding): string {
  return f.trace.map((s) => `${KIND_LABEL[s.kind]} (line ${s.span.start.line})`).join(' → ');
}

export function hoverMarkdown(f: Finding, sim: SimulationSummary | undefined, links: FindingLinks): string {
  const parts: string[] = [];
  parts.push(`**vmalias** \`${f.rule}\` — ${escapeMd(f.message)}`);
  const dir = f.direction === 'write' ? 'memory → device' : f.direction === 'read' ? 'device → memory' : 'either direction';
  parts.push(`${code(f.buffer)}${f.size ? ` (${code(f.size)} bytes)` : ''}, ${dir}, in ${code(f.function + '()')}: ${flowLine(f)}`);
  if (sim) {
    parts.push(sim.markdown ?? verdictTable(sim));
    const ex = sim.markdown ? undefined : firstExample(sim);
    if (ex) parts.push(`Example: ${escapeMd(ex)}`);
  } else {
    parts.push('*Simulation not available for this finding.*');
  }
  const fix = f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
  if (fix) parts.push(`**Fix:** ${escapeMd(fix.title)}${fix.edits[0] ? `\n\n\`\`\`c\n${fix.edits[0].newText.trim()}\n\`\`\`` : ''}`);
  const l: string[] = [];
  if (links.simulation) l.push(`[Show simulation](${links.simulation})`);
  if (links.rule) l.push(`[Rule explanation](${links.rule})`);
  if (l.length) parts.push(l.join(' · '));
  return parts.join('\n\n');
}

/** The read-only document opened from a diagnostic's code link: the whole story of one finding. */
export function simulationDocument(f: Finding, sim: SimulationSummary | undefined): string {
  const out: string[] = [];
  out.push(`# ${f.rule} in ${f.function}() — ${f.file}:${f.span.start.line}`);
  out.push(f.message);
  out.push('## What flows where');
  out.push(`Buffer \`${f.buffer}\`${f.size ? `, ${f.size} bytes` : ''}, direction ${f.direction}, kernel rules ${f.kernel}, confidence ${f.confidence}.`);
  out.push(traceMarkdown(f));
  out.push('## Simulation');
  if (sim) {
    out.push(verdictTable(sim));
    for (const o of sim.outcomes) if (o.example) out.push(`- **${o.arch}**: ${o.example}`);
    if (sim.markdown) out.push(sim.markdown);
  } else out.push('Simulation not available for this finding.');
  out.push('## Fixes');
  if (f.fixes.length === 0) out.push('No automatic fix (the length of the buffer is not known).');
  for (const fix of f.fixes) {
    out.push(`### ${fix.title}${fix.isPreferred ? ' (preferred)' : ''}`);
    for (const e of fix.edits) out.push(`At line ${e.span.start.line}:\n\n\`\`\`c\n${e.newText.replace(/\n$/, '')}\n\`\`\``);
  }
  out.push('---');
  out.push(ruleDocMarkdown(f.rule).replace(/^# /, '## Rule: '));
  return out.join('\n\n') + '\n';
}
