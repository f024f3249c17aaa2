/**
 * What the editor shows, without VS Code: kernel version detection, the hover and simulation
 * Markdown, and the simulation view's HTML (CSP, escaping).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatKernelVersion, parseKernelMakefile, parseKernelVersionString } from '../../extension/kernelVersion';
import { hoverMarkdown, simulationDocument, verdictTable } from '../../extension/findingMarkdown';
import { contentSecurityPolicy, escapeHtml, simulationPageHtml } from '../../extension/simulationHtml';
import { RULE_DOCS } from '../../extension/ruleDocs';
import { RULE_IDS, type Finding, type Span } from '../../analyzer/types';
import type { SimulationSummary } from '../../extension/simulation';

function span(line: number, col: number, len: number, off: number): Span {
  return { start: { line, column: col }, end: { line, column: col + len }, startOffset: off, endOffset: off + len };
}

const FINDING: Finding = {
  rule: 'vmap-io-missing-flush', severity: 'warning', file: '/ws/foo.c', span: span(20, 8, 20, 400),
  message: 'buf (vzalloc) is written by the CPU and reaches I/O without flush_kernel_vmap_range()',
  function: 'foo_write_log', buffer: 'buf', size: 'len', direction: 'write', kernel: '6.18',
  trace: [
    { kind: 'alloc', message: 'allocated with vzalloc() here', file: '/ws/foo.c', span: span(10, 2, 12, 200) },
    { kind: 'page-add', message: 'pages added to the bio here', file: '/ws/foo.c', span: span(18, 3, 12, 350) },
    { kind: 'submit', message: 'submitted here <b>', file: '/ws/foo.c', span: span(20, 8, 20, 400) },
  ],
  fixes: [{ title: 'Insert flush_kernel_vmap_range(buf, len) before the submission', isPreferred: true, edits: [{ file: '/ws/foo.c', span: span(20, 1, 0, 393), newText: '\tflush_kernel_vmap_range(buf, len);\n' }] }],
  facts: { rule: 'vmap-io-missing-flush', direction: 'write', cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
  confidence: 'high',
};

const SIM: SimulationSummary = {
  outcomes: [
    { arch: 'armv5-vivt', verdict: 'corrupts', corruptedBytes: 4096, fixedCorruptedBytes: 0, example: 'the CPU wrote 5a 5a 5a 5a at buf+0x40; the device received 00 00 00 00' },
    { arch: 'x86-64', verdict: 'ok (PIPT)', corruptedBytes: 0, fixedCorruptedBytes: 0 },
  ],
};

test('kernel version from a kernel Makefile, and from the setting', () => {
  assert.deepEqual(parseKernelMakefile('# SPDX\nVERSION = 6\nPATCHLEVEL = 18\nSUBLEVEL = 2\nEXTRAVERSION =\n'), { major: 6, minor: 18, patch: 2 });
  assert.deepEqual(parseKernelMakefile('VERSION = 2\nPATCHLEVEL = 6\n'), { major: 2, minor: 6 });
  assert.equal(parseKernelMakefile('all:\n\tcc -o foo foo.c\n'), undefined);
  assert.equal(parseKernelMakefile('VERSION = 6\n'), undefined);
  assert.deepEqual(parseKernelVersionString('v5.4'), { major: 5, minor: 4 });
  assert.deepEqual(parseKernelVersionString('2.6.34'), { major: 2, minor: 6, patch: 34 });
  assert.equal(parseKernelVersionString('auto'), undefined);
  assert.equal(formatKernelVersion({ major: 6, minor: 18 }), '6.18');
  assert.equal(formatKernelVersion(undefined), 'newest');
});

test('every rule has an explanation with a title, summary and fix', () => {
  for (const r of RULE_IDS) {
    assert.ok(RULE_DOCS[r].title.length > 10, r);
    assert.ok(RULE_DOCS[r].summary.length > 10, r);
    assert.match(RULE_DOCS[r].body, /\*\*Fix:\*\*/, r);
  }
});

test('hover Markdown: flow, per-architecture verdicts, example, fix and command links', () => {
  const md = hoverMarkdown(FINDING, SIM, { simulation: 'command:vmalias.showSimulation?x', rule: 'command:vmalias.openRuleExplanation?y' });
  assert.match(md, /`vmap-io-missing-flush`/);
  assert.match(md, /`buf` \(`len` bytes\), memory → device, in `foo_write_log\(\)`: allocated \(line 10\) → pages added \(line 18\) → submitted \(line 20\)/);
  assert.match(md, /\| armv5-vivt \| ✗ 4096 B corrupted \| ✓ 0 B \|/);
  assert.match(md, /\| x86-64 \| ✓ ok \(PIPT\) \| ✓ 0 B \|/);
  assert.match(md, /the device received 00 00 00 00/);
  assert.match(md, /```c\nflush_kernel_vmap_range\(buf, len\);\n```/);
  assert.match(md, /\[Show simulation\]\(command:vmalias\.showSimulation\?x\)/);
  assert.match(hoverMarkdown({ ...FINDING, message: 'x <b>y</b>' }, SIM, {}), /x \\<b\\>y\\<\/b\\>/, 'Markdown/HTML in messages is escaped');
  assert.match(hoverMarkdown(FINDING, undefined, {}), /Simulation not available/);
});

test('verdict table has one row per architecture', () => {
  const rows = verdictTable(SIM).split('\n');
  assert.equal(rows.length, 2 + SIM.outcomes.length);
});

test('simulation document tells the whole story', () => {
  const doc = simulationDocument(FINDING, SIM);
  assert.match(doc, /^# vmap-io-missing-flush in foo_write_log\(\) — \/ws\/foo\.c:20/);
  for (const h of ['## What flows where', '## Simulation', '## Fixes', '## Rule: vmap-io-missing-flush']) assert.ok(doc.includes(h), h);
  assert.match(doc, /armv5-vivt\*\*: the CPU wrote/);
});

test('simulation view HTML: strict CSP, nonce on the only script, selectors, escaped text', () => {
  const html = simulationPageHtml({
    finding: { ...FINDING, message: 'x <script>alert(1)</script>' }, archs: ['armv5-vivt', 'x86-64'], arch: 'x86-64', variant: 'with-fix', summary: SIM,
    timeline: '<svg class="sim"></svg>', scriptUri: 'https://file+.vscode-resource/media/simulation-view.js', styleUris: ['https://file+.vscode-resource/media/simulation-view.css'], cspSource: 'https://file+.vscode-resource', nonce: 'N0nce',
  });
  const csp = contentSecurityPolicy('https://file+.vscode-resource', 'N0nce');
  assert.ok(html.includes(`content="${csp}"`));
  assert.match(csp, /^default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script nonce="N0nce" src="https:\/\/file\+\.vscode-resource\/media\/simulation-view\.js"><\/script>/);
  assert.doesNotMatch(html, /style="|onclick|onchange|https?:\/\/(?!file\+\.vscode-resource)/);
  assert.match(html, /<option value="x86-64" selected>/);
  assert.match(html, /<option value="with-fix" selected>/);
  assert.ok(html.includes('x &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('<svg class="sim"></svg>'));
  assert.equal(escapeHtml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
});
