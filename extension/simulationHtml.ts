/**
 * HTML of the simulation view. Pure (no `vscode`) so the CSP and escaping are unit-tested: only
 * local resources (the webview's own origin), one script with a nonce, no inline styles or handlers.
 */
import type { Finding } from '../analyzer/types';
import type { SimulationSummary, Variant } from './simulation';

export interface SimulationPage {
  finding: Finding;
  archs: string[];
  arch: string;
  variant: Variant;
  summary?: SimulationSummary;
  /** The simulator's SVG/HTML timeline for (arch, variant); trusted output of our own code. */
  timeline?: string;
  /** Webview resource URIs. */
  scriptUri: string;
  styleUris: string[];
  cspSource: string;
  nonce: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

function verdictRows(p: SimulationPage): string {
  if (!p.summary) return '<p class="vm-muted">No simulation is available for this finding.</p>';
  const rows = p.summary.outcomes.map((o) => {
    const bad = o.corruptedBytes > 0;
    const fixed = o.fixedCorruptedBytes === undefined ? '—' : `${o.fixedCorruptedBytes} B`;
    return `<tr class="${o.arch === p.arch ? 'vm-current ' : ''}${bad ? 'vm-bad' : 'vm-ok'}"><td>${escapeHtml(o.arch)}</td><td>${escapeHtml(o.verdict)}</td><td>${o.corruptedBytes} B</td><td>${escapeHtml(fixed)}</td></tr>`;
  });
  return `<table class="vm-verdicts"><thead><tr><th>architecture</th><th>verdict</th><th>corrupted as written</th><th>corrupted with fix</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function simulationPageHtml(p: SimulationPage): string {
  const f = p.finding;
  const archOptions = p.archs.map((a) => `<option value="${escapeHtml(a)}"${a === p.arch ? ' selected' : ''}>${escapeHtml(a)}</option>`).join('');
  const variants: [Variant, string][] = [['as-written', 'as written'], ['with-fix', 'with fix']];
  const variantOptions = variants.map(([v, l]) => `<option value="${v}"${v === p.variant ? ' selected' : ''}>${l}</option>`).join('');
  const outcome = p.summary?.outcomes.find((o) => o.arch === p.arch);
  const example = outcome?.example ? `<p class="vm-example">${escapeHtml(outcome.example)}</p>` : '';
  const trace = f.trace.map((s) => `<li><span class="vm-line">line ${s.span.start.line}</span> ${escapeHtml(s.message)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(p.cspSource, p.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${p.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n')}
<title>vmalias simulation</title>
</head>
<body>
<header class="vm-header">
<h1 id="vm-title">${escapeHtml(f.rule)} — ${escapeHtml(f.function)}() line ${f.span.start.line}</h1>
<p>${escapeHtml(f.message)}</p>
<form class="vm-controls">
<label>Architecture <select id="vm-arch">${archOptions}</select></label>
<label>Code <select id="vm-variant">${variantOptions}</select></label>
</form>
</header>
<main>
<section id="vm-timeline" data-arch="${escapeHtml(p.arch)}" data-variant="${p.variant}">
${p.timeline ?? `<p class="vm-muted">No timeline for ${escapeHtml(p.arch)} (${p.variant}).</p>`}
</section>
${example}
<section><h2>All architectures</h2>${verdictRows(p)}</section>
<section><h2>Trace</h2><ol class="vm-trace">${trace}</ol></section>
</main>
<script nonce="${p.nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>`;
}
