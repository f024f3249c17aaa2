/**
 * Mail layer: splits an mbox into messages, parses headers (folded, RFC 2047 encoded words),
 * decodes bodies (7bit, 8bit, quoted-printable, base64; utf-8, latin-1 …), walks multipart
 * messages, and keeps the input line of every decoded body line.
 *
 * Everything works on "byte strings" (one JS char per input byte, i.e. latin1-decoded buffers) until
 * a body part's charset is known; only then is the text decoded. A plain JS string input is first
 * turned into its UTF-8 bytes so that both paths behave the same.
 *
 * Written here rather than taken from a mail library: we need the input line of every decoded line
 * (mail libraries return decoded bodies without positions) and we need to survive truncated mail.
 */
import type { SrcLine } from './model';

export interface MailMessage {
  /** Header name (lower case) → unfolded, RFC 2047-decoded values, in order. */
  headers: Map<string, string[]>;
  /** Decoded body lines (text parts only, in order), each with its input line. */
  body: SrcLine[];
  /** First input line of the message (its `From ` line or first header). */
  startLine: number;
  /** Last input line of the message. */
  endLine: number;
  /** Problems met while decoding (unknown charset, truncated headers …). */
  problems: string[];
  /** True when the input was a mail (headers present), false for a bare diff. */
  isMail: boolean;
}

export function toByteString(input: string | Uint8Array): string {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  return buf.toString('latin1');
}

/** Split a byte string into lines; `\r\n` and `\n` both end a line, a lone final `\r` is dropped. */
export function splitLines(bytes: string, firstLine = 1): SrcLine[] {
  const raw = bytes.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((t, i) => ({ text: t.endsWith('\r') ? t.slice(0, -1) : t, line: firstLine + i }));
}

const FROM_LINE = /^From \S+/;
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;

/** True for an mbox `From ` separator at line index i. */
function isFromSeparator(lines: SrcLine[], i: number): boolean {
  if (!FROM_LINE.test(lines[i].text)) return false;
  if (i > 0 && lines[i - 1].text !== '') return false;
  const next = lines[i + 1];
  return next !== undefined && HEADER_LINE.test(next.text);
}

/** Does the input start with a mail header block (a single .eml) or an mbox separator? */
export function looksLikeMail(lines: SrcLine[]): 'mbox' | 'eml' | 'none' {
  let i = 0;
  while (i < lines.length && lines[i].text.trim() === '') i++;
  if (i >= lines.length) return 'none';
  if (isFromSeparator(lines, i) || (FROM_LINE.test(lines[i].text) && lines[i + 1] !== undefined && HEADER_LINE.test(lines[i + 1].text))) {
    return 'mbox';
  }
  // A single message: a header block (at least one well-known header) before the first blank line.
  let known = false;
  for (let j = i; j < lines.length && lines[j].text !== ''; j++) {
    const t = lines[j].text;
    if (/^[ \t]/.test(t)) continue;
    if (!HEADER_LINE.test(t)) return 'none';
    if (/^(subject|from|date|message-id|content-type|mime-version|to|return-path|received):/i.test(t)) known = true;
  }
  return known ? 'eml' : 'none';
}

/** Split an mbox (byte-string lines) into raw messages. */
export function splitMbox(lines: SrcLine[]): SrcLine[][] {
  const out: SrcLine[][] = [];
  let cur: SrcLine[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const first = cur === undefined && lines.slice(0, i).every((l) => l.text.trim() === '');
    if ((first && FROM_LINE.test(lines[i].text)) || isFromSeparator(lines, i)) {
      cur = [];
      out.push(cur);
      continue; // the separator itself is not part of the message
    }
    if (cur === undefined) {
      if (lines[i].text.trim() === '') continue;
      cur = [];
      out.push(cur);
    }
    cur.push(lines[i]);
  }
  return out;
}

/** Unquote mboxrd `>From ` escaping (one level). */
function unquoteFrom(text: string): string {
  return /^>+From /.test(text) ? text.slice(1) : text;
}

export interface ParsedHeaders {
  headers: Map<string, string[]>;
  /** Raw (undecoded) header values, for Content-Type parameters. */
  raw: Map<string, string>;
  /** Index of the first body line in the given array. */
  bodyIndex: number;
  /** True when the header block ended without a blank line (truncated message). */
  truncated: boolean;
}

export function parseHeaderBlock(lines: SrcLine[], from = 0): ParsedHeaders {
  const headers = new Map<string, string[]>();
  const raw = new Map<string, string>();
  let name: string | undefined;
  let value = '';
  const flush = (): void => {
    if (name === undefined) return;
    const list = headers.get(name) ?? [];
    list.push(decodeEncodedWords(value.trim()));
    headers.set(name, list);
    if (!raw.has(name)) raw.set(name, value.trim());
    name = undefined;
  };
  let i = from;
  for (; i < lines.length; i++) {
    const t = lines[i].text;
    if (t === '') {
      flush();
      return { headers, raw, bodyIndex: i + 1, truncated: false };
    }
    if (/^[ \t]/.test(t) && name !== undefined) {
      value += t; // unfolding: drop the line break, keep the whitespace
      continue;
    }
    const m = /^([\x21-\x39\x3b-\x7e]+):[ \t]?(.*)$/.exec(t);
    if (!m) {
      // Not a header: the header block is over (some tools omit the blank line).
      flush();
      return { headers, raw, bodyIndex: i, truncated: false };
    }
    flush();
    name = m[1].toLowerCase();
    value = m[2];
  }
  flush();
  return { headers, raw, bodyIndex: i, truncated: true };
}

/** Value of a parameter (`charset`, `boundary`) in a structured header value. */
export function headerParam(value: string | undefined, param: string): string | undefined {
  if (!value) return undefined;
  const re = new RegExp(`(?:^|;)\\s*${param}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const m = re.exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Decode a byte string with a MIME charset. Unknown charsets fall back to UTF-8. */
export function decodeCharset(bytes: string, charset: string | undefined): { text: string; known: boolean } {
  const cs = (charset ?? 'utf-8').toLowerCase().trim();
  if (/^(us-)?ascii$|^iso-8859-1$|^latin-?1$|^l1$|^iso8859-1$|^cp819$/.test(cs)) return { text: bytes, known: true };
  if (cs === 'utf-8' || cs === 'utf8') return { text: Buffer.from(bytes, 'latin1').toString('utf8'), known: true };
  try {
    return { text: new TextDecoder(cs).decode(Buffer.from(bytes, 'latin1')), known: true };
  } catch {
    return { text: Buffer.from(bytes, 'latin1').toString('utf8'), known: false };
  }
}

/** Quoted-printable decoding of one encoded line; returns the bytes and whether it ends in a soft break. */
export function decodeQPLine(line: string): { bytes: string; soft: boolean } {
  let s = line.replace(/[ \t]+$/, ''); // trailing whitespace is transport padding (RFC 2045 6.7 (3))
  let soft = false;
  if (s.endsWith('=')) {
    soft = true;
    s = s.slice(0, -1);
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '=' && i + 2 < s.length + 0 && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out += c; // a stray '=' is kept as is (RFC 2045 6.7 note (1): be liberal)
    }
  }
  return { bytes: out, soft };
}

/** Decode quoted-printable body lines; a decoded line keeps the input line where it started. */
export function decodeQP(lines: SrcLine[]): SrcLine[] {
  const out: SrcLine[] = [];
  let acc = '';
  let start: number | undefined;
  for (const l of lines) {
    const { bytes, soft } = decodeQPLine(l.text);
    if (start === undefined) start = l.line;
    acc += bytes;
    if (!soft) {
      // A decoded line may contain encoded line breaks (=0A); split them, same input line.
      for (const part of acc.split('\n')) out.push({ text: part.replace(/\r$/, ''), line: start });
      acc = '';
      start = undefined;
    }
  }
  if (start !== undefined) out.push({ text: acc, line: start });
  return out;
}

/** Base64 bodies lose per-line positions: every decoded line points at the first body line. */
export function decodeBase64(lines: SrcLine[]): SrcLine[] {
  if (lines.length === 0) return [];
  const bytes = Buffer.from(lines.map((l) => l.text.trim()).join(''), 'base64').toString('latin1');
  return splitLines(bytes).map((l) => ({ text: l.text, line: lines[0].line }));
}

/** RFC 2047 encoded words (`=?utf-8?q?…?=`, `=?iso-8859-1?b?…?=`); whitespace between two words is dropped. */
export function decodeEncodedWords(value: string): string {
  const re = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
  let out = '';
  let last = 0;
  let prevWasWord = false;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const between = value.slice(last, m.index);
    if (!(prevWasWord && /^\s*$/.test(between))) out += decodeCharset(between, 'utf-8').text;
    const charset = m[1].replace(/\*.*$/, ''); // RFC 2231 language suffix
    let bytes: string;
    if (m[2].toLowerCase() === 'b') {
      bytes = Buffer.from(m[3], 'base64').toString('latin1');
    } else {
      bytes = m[3].replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_s, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
    out += decodeCharset(bytes, charset).text;
    last = m.index + m[0].length;
    prevWasWord = true;
  }
  // Raw 8-bit header bytes: most senders mean UTF-8.
  out += decodeCharset(value.slice(last), 'utf-8').text;
  return out;
}

function decodeBody(lines: SrcLine[], contentType: string | undefined, cte: string | undefined, problems: string[], depth: number): SrcLine[] {
  const type = (contentType ?? 'text/plain').split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = headerParam(contentType, 'boundary');
    if (!boundary || depth > 4) {
      problems.push(`multipart message without a usable boundary at line ${lines[0]?.line ?? '?'}`);
      return [];
    }
    return decodeMultipart(lines, boundary, problems, depth + 1);
  }
  if (!(type.startsWith('text/') || type === 'application/x-patch' || type === 'application/x-diff' || type === 'application/octet-stream')) {
    return [];
  }
  const enc = (cte ?? '7bit').trim().toLowerCase();
  let decoded: SrcLine[];
  if (enc === 'quoted-printable') decoded = decodeQP(lines);
  else if (enc === 'base64') decoded = decodeBase64(lines);
  else decoded = lines.slice(); // decodeLines replaces entries in place
  const charset = headerParam(contentType, 'charset');
  const out = decodeLines(decoded, charset);
  if (!out.known) problems.push(`unknown charset "${charset}" at line ${lines[0]?.line ?? '?'}; decoded as UTF-8`);
  return out.lines;
}

/**
 * Charset-decode lines in one pass (one Buffer for the whole part, not one per line: bodies of
 * big series have hundreds of thousands of lines). `\n` is the same byte in every charset a patch
 * can use (ASCII-compatible), so line boundaries survive; a line whose count would change falls
 * back to per-line decoding.
 */
function decodeLines(lines: SrcLine[], charset: string | undefined): { lines: SrcLine[]; known: boolean } {
  if (lines.length === 0) return { lines, known: true };
  const whole = decodeCharset(lines.map((l) => l.text).join('\n'), charset);
  const parts = whole.text.split('\n');
  if (parts.length === lines.length) {
    for (let i = 0; i < parts.length; i++) if (parts[i] !== lines[i].text) lines[i] = { text: parts[i], line: lines[i].line };
    return { lines, known: whole.known };
  }
  return { lines: lines.map((l) => ({ text: decodeCharset(l.text, charset).text, line: l.line })), known: whole.known };
}

function decodeMultipart(lines: SrcLine[], boundary: string, problems: string[], depth: number): SrcLine[] {
  const delim = `--${boundary}`;
  const parts: SrcLine[][] = [];
  let cur: SrcLine[] | undefined;
  let closed = false;
  for (const l of lines) {
    const t = l.text.replace(/[ \t]+$/, '');
    if (t === `${delim}--`) {
      closed = true;
      break;
    }
    if (t === delim) {
      cur = [];
      parts.push(cur);
      continue;
    }
    if (cur) cur.push(l);
  }
  if (!closed) problems.push(`multipart body ends without its closing boundary (truncated mail?)`);
  const out: SrcLine[] = [];
  for (const part of parts) {
    const h = parseHeaderBlock(part);
    const ct = h.raw.get('content-type');
    const cte = h.raw.get('content-transfer-encoding');
    out.push(...decodeBody(part.slice(h.bodyIndex), ct, cte, problems, depth));
  }
  return out;
}

/** Parse one raw message (byte-string lines without the mbox separator). */
export function parseMessage(lines: SrcLine[], mboxrd: boolean): MailMessage {
  const problems: string[] = [];
  const h = parseHeaderBlock(lines);
  if (h.truncated) problems.push('the message ends inside its headers (truncated mail)');
  let body = lines.slice(h.bodyIndex);
  if (mboxrd) body = body.map((l) => (/^>+From /.test(l.text) ? { text: unquoteFrom(l.text), line: l.line } : l));
  const decoded = decodeBody(body, h.raw.get('content-type'), h.raw.get('content-transfer-encoding'), problems, 0);
  return {
    headers: h.headers,
    body: decoded,
    startLine: lines[0]?.line ?? 1,
    endLine: lines[lines.length - 1]?.line ?? 1,
    problems,
    isMail: true,
  };
}

/** A bare diff: no headers, UTF-8 text. */
export function bareMessage(lines: SrcLine[]): MailMessage {
  return {
    headers: new Map(),
    body: decodeLines(lines.slice(), 'utf-8').lines,
    startLine: lines[0]?.line ?? 1,
    endLine: lines[lines.length - 1]?.line ?? 1,
    problems: [],
    isMail: false,
  };
}

/** Split the input into messages: an mbox series, one .eml, or one bare diff. */
export function readMessages(input: string | Uint8Array): MailMessage[] {
  const lines = splitLines(toByteString(input));
  const kind = looksLikeMail(lines);
  if (kind === 'mbox') return splitMbox(lines).map((m) => parseMessage(m, true));
  if (kind === 'eml') return [parseMessage(lines, false)];
  return [bareMessage(lines)];
}
