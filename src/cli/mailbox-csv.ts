import { readFileSync } from 'node:fs';
import { AppError } from '../errors.js';

/** One line of the `--mailboxes` CSV: a source account and the destination account it moves to. */
export interface MailboxPair {
  sourceAddress: string;
  sourcePassword: string;
  destinationAddress: string;
  destinationPassword: string;
}

export const PAIR_COLUMNS = ['source_address', 'source_password', 'destination_address', 'destination_password'] as const;
const ADDRESS = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** RFC 4180 fields: quotes allow commas (and doubled quotes) inside a password. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Parses the CSV text; BAD_INPUT names the missing column or the wrong line. Passwords never appear in a message. */
export function parseMailboxCsv(text: string, file = 'the mailboxes CSV'): MailboxPair[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l, i) => ({ text: l, number: i + 1 })).filter((l) => l.text.trim() !== '');
  const header = lines.shift()?.text ?? '';
  const names = splitCsvLine(header).map((h) => h.trim().toLowerCase());
  const missing = PAIR_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new AppError('BAD_INPUT', `${file} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; its header must be ${PAIR_COLUMNS.join(',')}.`);
  }
  if (lines.length === 0) throw new AppError('BAD_INPUT', `${file} has a header but no mailbox lines.`);
  const seen = new Set<string>();
  return lines.map((line) => {
    const fields = splitCsvLine(line.text);
    const get = (column: string) => (fields[names.indexOf(column)] ?? '').trim();
    const pair: MailboxPair = {
      sourceAddress: get('source_address').toLowerCase(), sourcePassword: get('source_password'),
      destinationAddress: get('destination_address').toLowerCase(), destinationPassword: get('destination_password'),
    };
    for (const [address, password, side] of [[pair.sourceAddress, pair.sourcePassword, 'source'], [pair.destinationAddress, pair.destinationPassword, 'destination']] as const) {
      if (!ADDRESS.test(address)) throw new AppError('BAD_INPUT', `${file}, line ${line.number}: the ${side} address "${address}" is not an e-mail address.`);
      if (!password) throw new AppError('BAD_INPUT', `${file}, line ${line.number}: the ${side} password of ${address} is empty.`);
    }
    if (seen.has(pair.sourceAddress)) throw new AppError('BAD_INPUT', `${file}, line ${line.number}: ${pair.sourceAddress} appears twice.`);
    seen.add(pair.sourceAddress);
    return pair;
  });
}

export function readMailboxCsv(file: string): MailboxPair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('BAD_INPUT', `Cannot read the mailboxes CSV ${file}; check the path.`);
  }
  return parseMailboxCsv(text, file);
}
