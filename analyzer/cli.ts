/**
 * `vmalias` command line: scan C files, trees and patches; simulate; review patches for the list.
 * Exit status: 0 clean, 1 findings, 2 usage or input errors (message on stderr naming the path).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { Finding, RULE_IDS, RuleId, AnalyzeOptions, KernelVersion } from './types';
import { parseVersion } from './tables';
import { scanPaths, formatNote, ScanNote } from './scan';
import { baseContext, reviewContext } from './scan/context';
import { formatText, formatJson, formatSarif, formatRuleList } from './report';
import { isPatchText, parsePatchInputs, reviewSet, formatMailback, reviewCommand, PatchFinding, PatchSet } from './patch';
import { analyzeText, getBackend } from './analyze';
import { confineFinding, KbuildReader } from './kbuild';
import { simulateCommand, simulateFinding } from '../simulator/command';
import { renderText as renderSimulationText } from '../simulator/render/text';

export const VERSION: string = (() => {
  for (const p of [path.join(__dirname, '..', 'package.json'), path.join(__dirname, '..', '..', 'package.json')]) {
    try {
      return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version: string }).version;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
})();

const USAGE = `usage: vmalias <command> [options]

commands:
  scan [PATH…|-]        analyze C files, directories (recursively, .c/.h) and patches
                        (.patch/.diff/.mbox/.eml or detected from content); - reads stdin;
                        the patches given form one series (pass a directory's as DIR/*.patch)
  simulate              replay a cache-alias scenario on architecture profiles
  review PATCH… [--base DIR]
                        write a mailing-list reply for the findings a patch series introduces
  rules                 list the rules

scan options:
  --format text|json|sarif|mailback   output format (default text, gcc style)
  --kernel X.Y[.Z]      kernel version for version-dependent rules
                        (default: VERSION/PATCHLEVEL of the nearest kernel Makefile, else newest;
                        for patches with --base DIR: the nearest one at or above DIR)
  --rule ID             report only this rule (repeatable)
  --disable ID          do not report this rule (repeatable)
  --parser wasm|native  tree-sitter backend (default wasm)
  --exclude GLOB        skip matching paths (repeatable)
  --allocator NAME      treat NAME() as returning vmalloc memory (repeatable)
  --sink NAME           treat NAME() as submitting its buffer arguments (repeatable)
  --base DIR            base tree for patches (report only what a patch introduces)
  --all                 with patches: also show pre-existing findings
  --simulate            attach the cache simulation to each finding (json) or summary (text)
  --arch LIST           architectures for --simulate (comma-separated, default all aliasing ones)
  --jobs N              worker threads (default: cores)
  --cache-dir DIR       on-disk cache (default ~/.cache/vmalias); --no-cache disables it
  --no-git              do not ask git which files of a fresh checkout are unchanged
  --no-kbuild           keep the severity of cache-alias findings in files that Kconfig
                        builds only for x86, arm64 and other architectures without aliasing
  --no-base-context     with patches and a --base DIR: do not scan the touched files' subsystems
                        for what the files the series leaves alone export
  --link-depth N        levels of wrapper allocators followed across files (default 3)
  --max-file-size BYTES skip larger files with a note (default 8 MiB)
  --quiet               no progress bar
  --verbose             print the trace of each finding (text format) and informational notes
`;

export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin?: AsyncIterable<Buffer | string>;
}

const defaultIO: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };

class UsageError extends Error {}

function parseKernel(v: string | undefined): KernelVersion | undefined {
  if (v === undefined) return undefined;
  try {
    const k = parseVersion(v);
    return { major: k.major, minor: k.minor, ...(k.patch !== undefined ? { patch: k.patch } : {}) };
  } catch {
    throw new UsageError(`--kernel: "${v}" is not a kernel version (expected X.Y or X.Y.Z)`);
  }
}

function ruleSet(only: string[] | undefined, disable: string[] | undefined): Set<RuleId> | undefined {
  for (const r of [...(only ?? []), ...(disable ?? [])]) {
    if (!RULE_IDS.includes(r as RuleId)) throw new UsageError(`unknown rule "${r}" (rules: ${RULE_IDS.join(', ')})`);
  }
  if (!only?.length && !disable?.length) return undefined;
  const base = only?.length ? (only as RuleId[]) : [...RULE_IDS];
  return new Set(base.filter((r) => !disable?.includes(r)));
}

async function readStdin(io: CliIO): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (!io.stdin) return Buffer.alloc(0);
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

const PATCH_EXT = /\.(patch|diff|mbox|eml|mbx)$/i;

function looksLikePatchFile(p: string): boolean {
  if (PATCH_EXT.test(p)) return true;
  if (/\.[ch]$/i.test(p)) return false;
  try {
    const fd = fs.openSync(p, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return isPatchText(buf.subarray(0, n).toString('utf8'));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * The patch files at the top of a directory that holds no C source at all (`git format-patch -o
 * DIR`, a directory of b4 mboxes); empty otherwise. Directories are searched for .c/.h files only,
 * and patches are never read out of a tree: this is only to tell the user why nothing was scanned.
 * A directory with no patch file at its top (a kernel tree) is not walked here.
 */
function patchOnlyDir(dir: string): string[] {
  let top: fs.Dirent[];
  try {
    top = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const patches = top.filter((e) => !e.isDirectory() && PATCH_EXT.test(e.name)).map((e) => e.name).sort();
  if (patches.length === 0) return [];
  const stack = [dir];
  let seen = 0;
  while (stack.length > 0) {
    const d = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      // a big tree: assume it has sources (the scan walks it as usual)
      if (++seen > 100_000 || /\.[ch]$/i.test(e.name)) return [];
      if (e.isDirectory() && !e.name.startsWith('.')) stack.push(path.join(d, e.name));
    }
  }
  return patches;
}

/** A patch finding as a plain finding located in the patch, with its target (and a later fix in the series) kept alongside. */
function fromPatchFinding(pf: PatchFinding): Finding & Pick<PatchFinding, 'target' | 'patch' | 'fixedLater'> {
  const pos = { line: pf.patch.line, column: pf.patch.column };
  return {
    ...pf.finding,
    file: pf.patch.file,
    span: { start: pos, end: pos, startOffset: -1, endOffset: -1 },
    target: pf.target,
    patch: pf.patch,
    ...(pf.fixedLater ? { fixedLater: pf.fixedLater } : {}),
  };
}

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'scan':
        return await scanCommand(rest, io);
      case 'simulate':
        return simulateCommand(rest, (s) => io.stdout.write(s), (s) => io.stderr.write(s));
      case 'review':
        return await reviewCommand(rest, io, { baseContext: (base, paths, o) => reviewContext(base, paths, { ...o, tuneJit: true }) });
      case 'rules':
        io.stdout.write(formatRuleList());
        return 0;
      case '--version':
      case '-V':
        io.stdout.write(`vmalias ${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        io.stderr.write(`vmalias: unknown command "${cmd}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`vmalias: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

async function scanCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      kernel: { type: 'string' },
      rule: { type: 'string', multiple: true },
      disable: { type: 'string', multiple: true },
      parser: { type: 'string', default: 'wasm' },
      exclude: { type: 'string', multiple: true },
      allocator: { type: 'string', multiple: true },
      sink: { type: 'string', multiple: true },
      base: { type: 'string' },
      all: { type: 'boolean', default: false },
      simulate: { type: 'boolean', default: false },
      arch: { type: 'string' },
      jobs: { type: 'string' },
      'cache-dir': { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      'no-git': { type: 'boolean', default: false },
      'no-kbuild': { type: 'boolean', default: false },
      'no-base-context': { type: 'boolean', default: false },
      'link-depth': { type: 'string' },
      'max-file-size': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const format = values.format as string;
  if (!['text', 'json', 'sarif', 'mailback'].includes(format)) throw new UsageError(`--format must be text, json, sarif or mailback (got "${format}")`);
  const parser = values.parser as string;
  if (parser !== 'wasm' && parser !== 'native') throw new UsageError(`--parser must be wasm or native (got "${parser}")`);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs must be a positive integer`);
  const linkDepth = values['link-depth'] === undefined ? undefined : Number(values['link-depth']);
  if (linkDepth !== undefined && (!Number.isInteger(linkDepth) || linkDepth < 1)) throw new UsageError('--link-depth must be a positive integer');
  const maxFileBytes = values['max-file-size'] === undefined ? undefined : Number(values['max-file-size']);
  if (maxFileBytes !== undefined && (!Number.isFinite(maxFileBytes) || maxFileBytes <= 0)) throw new UsageError('--max-file-size must be a positive number of bytes');
  const arch = values.arch ? String(values.arch).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  if (positionals.length === 0) throw new UsageError('scan: no paths given (use - for stdin)');

  const analyzeOpts: AnalyzeOptions = {
    kernel: parseKernel(values.kernel as string | undefined),
    rules: ruleSet(values.rule as string[] | undefined, values.disable as string[] | undefined),
    extraAllocators: values.allocator as string[] | undefined,
    extraSinks: values.sink as string[] | undefined,
  };
  if (parser === 'native') {
    try {
      await getBackend('native');
    } catch (e) {
      io.stderr.write(`vmalias: ${(e as Error).message}\n`);
      return 2;
    }
  }
  // Loaded on first use: a directory scan parses in its workers (or, under 8 files, through the
  // same cached backend), and a warm re-scan parses nothing; loading the grammar here cost
  // ~0.1-0.2 s of every run.
  const backend = () => getBackend(parser);

  const findings: Finding[] = [];
  const notes: string[] = [];
  /** what b4 may see on stderr in mailback mode: problems with the input, not informational notes */
  const problems: string[] = [];
  let inputErrors = 0;
  const patchFindings: PatchFinding[] = [];
  let patchSet: PatchSet | undefined;
  // with a directory base, what the untouched files of the touched files' subsystems export
  const baseDir = values.base as string | undefined;
  const contextOpts = {
    ...analyzeOpts, parser: parser as 'wasm' | 'native', jobs, cacheDir: values['cache-dir'] as string | undefined, noCache: values['no-cache'] as boolean,
    ...(values['no-git'] ? { git: false } : {}), tuneJit: true,
  };
  const patchOpts = {
    ...analyzeOpts, base: baseDir, all: values.all as boolean, analyze: async (t: string, f: string, o?: AnalyzeOptions) => analyzeText(t, f, { ...o, backend: await backend() }),
    ...(baseDir !== undefined && !values['no-base-context'] ? { baseContext: (paths: string[], o: { kernel?: KernelVersion }) => baseContext(baseDir, paths, { ...contextOpts, kernel: o.kernel ?? contextOpts.kernel }) } : {}),
  };

  const filePaths: string[] = [];
  // every patch input of the command line, in argument order: one series (0001-a.patch 0002-b.patch)
  const patchInputs: { name: string; data: Uint8Array }[] = [];
  // directories holding patches and no C source: nothing to scan in them, say so
  const patchDirs: { dir: string; patches: string[] }[] = [];
  let stdinText = false;
  let scanStats: Record<string, number> | undefined;
  for (const p of positionals) {
    if (p === '-') {
      const data = await readStdin(io);
      const text = data.toString('utf8');
      if (isPatchText(text)) {
        patchInputs.push({ name: '<stdin>', data });
      } else if (data.includes(0)) {
        notes.push('<stdin>: error: binary input skipped');
        inputErrors++;
      } else {
        stdinText = true;
        const r = await analyzeText(text, '<stdin>', { ...analyzeOpts, backend: await backend() });
        findings.push(...r.findings);
        if (values.verbose) notes.push(...r.notes);
      }
      continue;
    }
    let isFile = false;
    let isDir = false;
    try {
      const st = fs.statSync(p);
      isFile = st.isFile();
      isDir = st.isDirectory();
    } catch {
      /* missing paths are reported by scanPaths */
    }
    const patchesIn = isDir ? patchOnlyDir(p) : [];
    if (patchesIn.length > 0) {
      patchDirs.push({ dir: p, patches: patchesIn });
      continue;
    }
    if (isFile && looksLikePatchFile(p)) {
      try {
        patchInputs.push({ name: p, data: fs.readFileSync(p) });
      } catch (e) {
        notes.push(`${p}: error: ${(e as Error).message}`);
        problems.push(`${p}: error: ${(e as Error).message}`);
        inputErrors++;
      }
      continue;
    }
    filePaths.push(p);
  }

  for (const { dir, patches } of patchDirs) {
    // the only input: nothing was scanned at all, which must not read as a clean result
    const alone = filePaths.length === 0 && patchInputs.length === 0 && !stdinText;
    const exts = [...new Set(patches.map((f) => (PATCH_EXT.exec(f)?.[1] ?? 'patch').toLowerCase()))];
    const glob = path.join(dir, exts.length === 1 ? `*.${exts[0]}` : `*.{${exts.join(',')}}`);
    const shown = patches.slice(0, 3).join(', ') + (patches.length > 3 ? ', …' : '');
    const n = `${dir}: ${alone ? 'error' : 'warning'}: no .c/.h files to scan, but ${patches.length} patch file${patches.length > 1 ? 's' : ''} (${shown}); directories are searched for C sources only: pass the patches as files, e.g. vmalias scan ${glob}`;
    notes.push(n);
    problems.push(n);
    if (alone) inputErrors++;
  }

  if (patchInputs.length) {
    try {
      const review = await reviewSet(parsePatchInputs(patchInputs), patchOpts);
      patchSet = review.set;
      // a file of the base built only for aliasing-free architectures (analyzer/kbuild.ts)
      const kbuild = new Map<string, KbuildReader | undefined>();
      patchFindings.push(...review.findings.map((p) => (baseDir === undefined || values['no-kbuild'] ? p : { ...p, finding: confineFinding(p.finding, kbuild, path.join(baseDir, p.target.path)) })));
      notes.push(...review.notes);
      // no finding from hunks alone is not a clean bill: say what was not seen (stderr, not in
      // mailback mode, where b4 takes every stderr line for a failure)
      if (baseDir === undefined && review.findings.length === 0 && format !== 'mailback') {
        notes.push(`${patchInputs.map((i) => i.name).join(' ')}: note: reviewed without --base: only the lines the hunks show were analysed, so a flush, submission or CPU access outside them is not seen; --base DIR (the tree the series applies to) analyses the whole files`);
      }
      problems.push(...review.problems.map((pr) => pr.message));
      // what was not reviewed (truncated, not applying, empty, binary) is not a pass
      inputErrors += review.problems.length;
    } catch (e) {
      const msg = `${patchInputs.map((i) => i.name).join(' ')}: error: ${(e as Error).message}`;
      notes.push(msg);
      problems.push(msg);
      inputErrors++;
    }
  }

  if (filePaths.length) {
    const r = await scanPaths(filePaths, {
      ...analyzeOpts, parser: parser as 'wasm' | 'native', exclude: values.exclude as string[] | undefined, jobs,
      cacheDir: values['cache-dir'] as string | undefined, noCache: values['no-cache'] as boolean,
      ...(values['no-git'] ? { git: false } : {}),
      ...(values['no-kbuild'] ? { kbuild: false } : {}),
      ...(linkDepth !== undefined ? { linkDepth } : {}),
      quiet: (values.quiet as boolean) || format !== 'text', maxFileBytes,
      // the CLI's process is the scan's own
      tuneJit: true,
    });
    findings.push(...r.findings);
    scanStats = r.stats as unknown as Record<string, number>;
    for (const n of r.notes) {
      // informational notes (syntax errors analysed around, names not followed) only on request
      if ((n as ScanNote).severity === 'info' && !values.verbose) continue;
      notes.push(formatNote(n));
      if ((n as ScanNote).severity !== 'info') problems.push(formatNote(n));
      if ((n as ScanNote).severity === 'error') inputErrors++;
    }
  }

  if (format === 'mailback') {
    const out = formatMailback({ findings: patchFindings, ...(patchSet ? { set: patchSet } : {}) });
    if (out) io.stdout.write(out);
    for (const f of findings) io.stdout.write(`${f.file}:${f.span.start.line}: ${f.message} [${f.rule}]\n`);
  } else {
    const all: Finding[] = [...findings, ...patchFindings.map(fromPatchFinding)];
    const sims = values.simulate ? all.map((f) => simulateFinding(f.facts, arch)) : undefined;
    if (format === 'json') {
      const withSim = sims ? all.map((f, i) => ({ ...f, simulation: sims[i].results })) : all;
      io.stdout.write(formatJson(withSim, { ...(scanStats ?? {}), notes }));
    } else if (format === 'sarif') {
      io.stdout.write(formatSarif(all, VERSION));
    } else {
      io.stdout.write(formatText(all, { verbose: values.verbose as boolean }));
      if (sims) sims.forEach((s, i) => io.stdout.write(`${all[i].file}:${all[i].span.start.line}: simulation:\n${renderSimulationText(s, false).replace(/^/gm, '  ')}\n`));
    }
  }
  // b4's check runner reports every stderr line as a failure: in mailback mode only real problems go there
  for (const n of format === 'mailback' ? problems : notes) io.stderr.write(`${n}\n`);
  // information (a cache-alias finding in code built only for architectures whose caches do not
  // alias) is printed but fails nothing
  const total = findings.filter((f) => f.severity !== 'info').length + patchFindings.filter((p) => p.finding.severity !== 'info').length;
  if (inputErrors > 0 && total === 0) return 2;
  return total > 0 ? 1 : inputErrors > 0 ? 2 : 0;
}
