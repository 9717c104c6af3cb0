import { AppError } from '../errors.js';
import type { ConnectionSettings, Side } from '../engine/index.js';
import type { MailboxPair } from './mailbox-csv.js';

export const URL_HELP = `  imap://host[:port][?tls=on|off]   plain IMAP (port 143, tls off unless ?tls=on)
  imaps://host[:port]               IMAP over TLS (port 993)
  sandbox://?mailboxes=25&messages=40&seed=1&domain=x.example[&latency=ms&throttle=0..1&failure=0..1]
                                    synthetic tenant; a destination sandbox starts empty (messages=0) unless given`;

function bad(side: Side, sentence: string): AppError {
  return new AppError('BAD_INPUT', `--${side}: ${sentence}`, { details: { field: side } });
}

function numberParam(params: URLSearchParams, side: Side, name: string, fallback: number, min: number, max: number, integer = true): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) throw bad(side, `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
  return n;
}

function parse(raw: string, side: Side): URL {
  try {
    return new URL(raw);
  } catch {
    throw bad(side, `"${raw}" is not a URL; use imap://host:port?tls=off, imaps://host or sandbox://?mailboxes=25.`);
  }
}

function imapSettings(url: URL, side: Side, pairs: MailboxPair[] | null): ConnectionSettings {
  const secure = url.protocol === 'imaps:';
  const tlsParam = url.searchParams.get('tls')?.toLowerCase();
  if (tlsParam && !['on', 'off', 'true', 'false', '1', '0'].includes(tlsParam)) throw bad(side, 'tls must be on or off.');
  const tls = tlsParam ? ['on', 'true', '1'].includes(tlsParam) : secure;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw bad(side, 'give the IMAP host, e.g. imap://mail.example.com.');
  const port = url.port ? Number(url.port) : tls ? 993 : 143;
  if (url.username || url.password) throw bad(side, 'put the accounts and passwords in the --mailboxes CSV, not in the URL.');
  if (!pairs) throw new AppError('BAD_INPUT', 'An IMAP side needs --mailboxes <csv> with source_address,source_password,destination_address,destination_password.');
  const mailboxes = pairs.map((p) => (side === 'source'
    ? { address: p.sourceAddress, password: p.sourcePassword }
    : { address: p.destinationAddress, password: p.destinationPassword }));
  return { platform: 'imap', host, port, tls, mailboxes };
}

function sandboxSettings(url: URL, side: Side): ConnectionSettings {
  const p = url.searchParams;
  const domain = (p.get('domain') ?? (url.hostname || `${side}.example`)).toLowerCase();
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) throw bad(side, `"${domain}" is not a domain such as sandbox.example.`);
  const known = new Set(['mailboxes', 'messages', 'seed', 'domain', 'latency', 'throttle', 'failure']);
  const unknown = [...p.keys()].find((k) => !known.has(k));
  if (unknown) throw bad(side, `unknown sandbox setting "${unknown}"; known: ${[...known].join(', ')}.`);
  const latencyMs = numberParam(p, side, 'latency', 0, 0, 60_000);
  const throttleRate = numberParam(p, side, 'throttle', 0, 0, 1, false);
  const failureRate = numberParam(p, side, 'failure', 0, 0, 1, false);
  return {
    platform: 'sandbox', domain,
    mailboxes: numberParam(p, side, 'mailboxes', 25, 1, 5000),
    messagesPerMailbox: numberParam(p, side, 'messages', side === 'source' ? 40 : 0, 0, 100_000),
    seed: numberParam(p, side, 'seed', 1, 0, 2 ** 31 - 1),
    ...(latencyMs ? { latencyMs } : {}), ...(throttleRate ? { throttleRate } : {}), ...(failureRate ? { failureRate } : {}),
  };
}

/** `--source`/`--destination` URL (+ the CSV's accounts for IMAP) → connection settings. */
export function settingsFromUrl(raw: string, side: Side, pairs: MailboxPair[] | null): ConnectionSettings {
  const url = parse(raw, side);
  switch (url.protocol) {
    case 'imap:':
    case 'imaps:':
      return imapSettings(url, side, pairs);
    case 'sandbox:':
      return sandboxSettings(url, side);
    default:
      throw bad(side, `"${url.protocol.replace(/:$/, '')}" is not a connection type the CLI knows; use imap://, imaps:// or sandbox://.`);
  }
}
