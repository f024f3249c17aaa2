// End-to-end UI test: what a person sees after installing the VSIX into VS Code (code-server) and
// opening a kernel-style folder in a browser. Run through scripts/run-e2e.mjs, which builds the VSIX.
// Screenshots: on failure into test/e2e/artifacts/; with VMALIAS_SCREENSHOTS=1 also the README's
// pictures into media/screenshots/.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, copyWorkspace, installVsix, launchChromium, seedUserData, startCodeServer, tempDir, removeDir,
} from './harness.mjs';

const VSIX = process.env.VMALIAS_VSIX;
const ARTIFACTS = path.join(ROOT, 'test', 'e2e', 'artifacts');
const SHOTS = process.env.VMALIAS_SCREENSHOTS === '1' ? path.join(ROOT, 'media', 'screenshots') : undefined;
const T = 60_000;

let server;
let browser;
let page;
let work;
let workspace;

async function shot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** The visible editor text (VS Code renders spaces as no-break spaces). */
async function editorText() {
  return (await page.locator('.editor-instance .view-lines').innerText()).replace(/\u00a0/g, ' ');
}

async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: T });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: T });
  await page.keyboard.press('Enter');
}

function explorerRow(name) {
  return page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }).first();
}

/** Expand folders one by one (click selects; the Right arrow expands a collapsed one), then open the file. */
async function openFromExplorer(folders, file) {
  for (const name of folders) {
    const row = explorerRow(name);
    await row.waitFor({ timeout: T });
    if ((await row.getAttribute('aria-expanded')) !== 'true') {
      await row.click();
      if ((await row.getAttribute('aria-expanded')) !== 'true') await page.keyboard.press('ArrowRight');
      await page.locator(`.explorer-folders-view .monaco-list-row[aria-expanded="true"]`, { hasText: new RegExp(`^${name}$`) }).first().waitFor({ timeout: T });
    }
  }
  await explorerRow(file).click();
}

/** Put the cursor on the line containing `needle` (Go to Line scrolls it into view). */
async function goToLineOf(needle) {
  const src = readFileSync(path.join(workspace, 'drivers', 'block', 'foo', 'foo_log.c'), 'utf8');
  const line = src.slice(0, src.indexOf(needle)).split('\n').length;
  await runCommand('Go to Line/Column...');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/** The code token `text` in the editor (tokens are spans inside .view-line). */
function token(text) {
  return page.locator('.editor-instance .view-lines span span', { hasText: new RegExp(`^${text}$`) }).first();
}

before(async () => {
  assert.ok(VSIX && existsSync(VSIX), 'VMALIAS_VSIX must name a built .vsix (scripts/run-e2e.mjs does this)');
  work = tempDir('vmalias-e2e-');
  workspace = copyWorkspace(path.join(ROOT, 'test', 'integration', 'fixtures', 'ws'));
  const userDataDir = path.join(work, 'user');
  const extensionsDir = path.join(work, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  seedUserData(userDataDir, {
    'explorer.compactFolders': false,
    'editor.hover.delay': 200,
    'workbench.editor.enablePreview': false,
    'editor.fontSize': 14,
    'window.zoomLevel': 0,
  });
  const t0 = Date.now();
  installVsix(VSIX, extensionsDir, userDataDir);
  console.log(`# installed ${path.basename(VSIX)} in ${Date.now() - t0} ms`);
  server = await startCodeServer({ workspace, extensionsDir, userDataDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 120_000 });
});

afterEach(async (t) => {
  // node:test has no per-test failure flag here; keep a picture of the state after every test.
  mkdirSync(ARTIFACTS, { recursive: true });
  await page?.screenshot({ path: path.join(ARTIFACTS, `${t.name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
});

after(async () => {
  await browser?.close().catch(() => {});
  server?.stop();
  if (work) removeDir(work);
  if (workspace) removeDir(path.dirname(workspace));
});

test('opening a C file from the Explorer shows a warning squiggle', { timeout: 180_000 }, async () => {
  await openFromExplorer(['drivers', 'block', 'foo'], 'foo_log.c');
  await page.locator('.editor-instance .view-lines').waitFor({ timeout: T });
  await goToLineOf('ret = submit_bio_wait');
  await page.locator('.editor-instance .squiggly-warning, .editor-instance .squiggly-error').first().waitFor({ timeout: 120_000 });
  assert.match(await editorText(), /submit_bio_wait/);
});

test('the status bar shows the kernel version read from the Makefile', async () => {
  const item = page.locator('.statusbar-item', { hasText: 'Linux 6.18' });
  await item.first().waitFor({ timeout: T });
});

test('hovering the submitting call shows the rule, the flow and per-architecture verdicts', async () => {
  await token('submit_bio_wait').hover();
  const hover = page.locator('.monaco-hover-content', { hasText: 'vmap-io-missing-flush' }).first();
  await hover.waitFor({ timeout: T });
  await page.locator('.monaco-hover-content', { hasText: 'armv5-vivt' }).first().waitFor({ timeout: T });
  const text = await hover.innerText();
  assert.match(text, /vzalloc/);
  assert.match(text, /Show simulation/);
  await page.keyboard.press('Escape');
  await page.mouse.move(5, 5);
  await page.locator('.monaco-hover-content').first().waitFor({ state: 'hidden', timeout: T }).catch(() => {});
  // The allocation is a step of the trace: the same hover, without the diagnostic's own text.
  await token('vzalloc').hover();
  const content = page.locator('.monaco-hover-content', { hasText: 'armv5-vivt' }).first();
  await content.waitFor({ timeout: T });
  if (SHOTS) {
    // The hover is height-limited: scroll it to the verdict table for the picture.
    const box = await content.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + 20, { steps: 4 });
      await page.mouse.wheel(0, 110);
      await page.waitForTimeout(300);
    }
  }
  await shot('hover');
  await page.keyboard.press('Escape');
  await page.mouse.move(5, 5);
});

test('the Problems panel lists the finding', async () => {
  await runCommand('View: Focus Problems');
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ timeout: T });
  await panel.locator('.monaco-list-row', { hasText: 'flush_kernel_vmap_range' }).first().waitFor({ timeout: T });
  assert.match(await panel.innerText(), /vmap-io-missing-flush/);
  await shot('problems');
});

test('the simulation view renders the timeline and follows the architecture selector', async () => {
  await token('submit_bio_wait').click();
  await runCommand('vmalias: Show Simulation for Finding Under Cursor');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await frame.locator('#vm-title').waitFor({ timeout: T });
  assert.match(await frame.locator('#vm-title').innerText(), /vmap-io-missing-flush/);
  await frame.locator('#vm-timeline svg.vmsim').waitFor({ timeout: T });
  await shot('simulation');
  await frame.locator('#vm-arch').selectOption('sh4');
  await frame.locator('#vm-timeline[data-arch="sh4"] svg.vmsim').waitFor({ timeout: T });
  await frame.locator('#vm-variant').selectOption('with-fix');
  await frame.locator('#vm-timeline[data-arch="sh4"][data-variant="with-fix"]').waitFor({ timeout: T });
  assert.match(await frame.locator('#vm-variant-title').innerText(), /With the fix.*no corruption/);
  await runCommand('View: Close All Editors');
  await openFromExplorer(['drivers', 'block', 'foo'], 'foo_log.c');
  await goToLineOf('ret = submit_bio_wait');
  await page.locator('.editor-instance .squiggly-warning, .editor-instance .squiggly-error').first().waitFor({ timeout: T });
});

test('the lightbulb quick fix inserts the flush and the squiggle goes away', async () => {
  await token('submit_bio_wait').click();
  await runCommand('Quick Fix...');
  const item = page.locator('.action-widget .monaco-list-row', { hasText: 'flush_kernel_vmap_range' }).first();
  await item.waitFor({ timeout: T });
  await shot('quickfix');
  // The preferred fix is the focused entry; a pointer block covers the list, so apply with Enter.
  await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'flush_kernel_vmap_range' }).waitFor({ timeout: T });
  await page.keyboard.press('Enter');
  await page.locator('.editor-instance .view-lines', { hasText: 'flush_kernel_vmap_range(buf, len);' }).waitFor({ timeout: T });
  await page.locator('.editor-instance .squiggly-warning, .editor-instance .squiggly-error').first().waitFor({ state: 'detached', timeout: T });
  // Monaco reuses line elements out of order: compare where the two lines are drawn.
  const flushBox = await page.locator('.editor-instance .view-line', { hasText: 'flush_kernel_vmap_range(buf, len);' }).first().boundingBox();
  const submitBox = await page.locator('.editor-instance .view-line', { hasText: 'ret = submit_bio_wait(bio);' }).first().boundingBox();
  assert.ok(flushBox && submitBox);
  assert.ok(submitBox.y > flushBox.y && submitBox.y - flushBox.y < 2 * flushBox.height, `flush line at y=${flushBox.y}, submit line at y=${submitBox.y}`);
  assert.match(await editorText(), /^ {4}flush_kernel_vmap_range\(buf, len\);$/m, 'inserted with the statement\'s indentation');
});
