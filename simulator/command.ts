/**
 * `vmalias simulate --scenario NAME --arch PROFILE|all [--size BYTES] [--format json|text|markdown|svg]`.
 * analyzer/cli.ts dispatches the `simulate` subcommand here with the arguments after it.
 */
import { PROFILES } from './profiles';
import { renderMarkdown } from './render/markdown';
import { renderSvg } from './render/svg';
import { renderText } from './render/text';
import { isScenarioName, MAX_SIZE, SCENARIO_NAMES } from './scenarios';
import { resolveProfiles, simulateNamed, type SimulationReport } from './simulate';

export { simulateFinding } from './simulate';

const FORMATS = ['json', 'text', 'markdown', 'svg'] as const;
type Format = (typeof FORMATS)[number];

export const SIMULATE_USAGE = `usage: vmalias simulate --scenario NAME [--arch PROFILE[,PROFILE…]|all] [--size BYTES] [--format json|text|markdown|svg] [--frames] [--speculate on|off]
       vmalias simulate --list

scenarios: ${SCENARIO_NAMES.join(', ')}
profiles:  ${PROFILES.map((p) => p.id).join(', ')}, all (default)
--size     buffer size in bytes (default 8192: two pages; at most ${MAX_SIZE})
--format   text (default), json (one object for one profile, an array otherwise), markdown, svg
--frames   json: include each step's cache frame (the data the SVG draws)
--speculate on|off  force speculative move-in on every profile (default: per profile, on for parisc)`;

class UsageError extends Error {}

interface Parsed {
  scenario?: string;
  archs: string[];
  size?: number;
  format: Format;
  list: boolean;
  help: boolean;
  frames: boolean;
  speculate?: boolean;
}

function parseArgs(argv: readonly string[]): Parsed {
  const args = argv[0] === 'simulate' ? argv.slice(1) : [...argv];
  const p: Parsed = { archs: [], format: 'text', list: false, help: false, frames: false };
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const need = (): string => {
      if (value !== undefined) return value;
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--scenario': case '-s': p.scenario = need(); break;
      case '--arch': case '-a': p.archs.push(...need().split(',').map((x) => x.trim()).filter(Boolean)); break;
      case '--size': {
        const v = need();
        const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? parseInt(v, 10) : NaN;
        if (!Number.isFinite(n) || n <= 0 || n > MAX_SIZE) throw new UsageError(`--size must be a number of bytes between 1 and ${MAX_SIZE}, got '${v}'`);
        p.size = n;
        break;
      }
      case '--format': case '-f': {
        const v = need();
        if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${v}'`);
        p.format = v as Format;
        break;
      }
      case '--list': p.list = true; break;
      case '--frames': p.frames = true; break;
      case '--speculate': {
        const v = need();
        if (v !== 'on' && v !== 'off') throw new UsageError(`--speculate must be on or off, got '${v}'`);
        p.speculate = v === 'on';
        break;
      }
      case '--help': case '-h': p.help = true; break;
      default: throw new UsageError(`unknown argument '${args[i]}'`);
    }
  }
  return p;
}

export function formatReport(rep: SimulationReport, format: Format): string {
  switch (format) {
    case 'json': return JSON.stringify(rep.results.length === 1 ? rep.results[0] : rep.results, null, 2) + '\n';
    case 'markdown': return renderMarkdown(rep) + '\n';
    case 'svg': return renderSvg(rep);
    case 'text': return renderText(rep);
  }
}

/** Returns the exit code: 0 ok, 2 usage error (message on `err`). */
export function simulateCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`vmalias simulate: ${e.message}\n${SIMULATE_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (p.help) {
    out(SIMULATE_USAGE + '\n');
    return 0;
  }
  if (p.list) {
    out(`scenarios:\n${SCENARIO_NAMES.map((s) => `  ${s}`).join('\n')}\nprofiles:\n${PROFILES.map((x) => `  ${x.id.padEnd(26)} ${x.cpu}`).join('\n')}\n`);
    return 0;
  }
  if (!p.scenario) {
    err(`vmalias simulate: --scenario is required\n${SIMULATE_USAGE}\n`);
    return 2;
  }
  if (!isScenarioName(p.scenario)) {
    err(`vmalias simulate: unknown scenario '${p.scenario}' (known: ${SCENARIO_NAMES.join(', ')})\n`);
    return 2;
  }
  try {
    resolveProfiles(p.archs);
  } catch (e) {
    err(`vmalias simulate: ${(e as Error).message}\n`);
    return 2;
  }
  const rep = simulateNamed(p.scenario, p.archs, p.size, { frames: p.format === 'svg' || (p.format === 'json' && p.frames), speculate: p.speculate });
  out(formatReport(rep, p.format));
  return 0;
}
