/**
 * A mapping CSV shared as a file in chat (Slack file share, Teams file attachment): checked for
 * type and size before anything is downloaded, then read as text the way Excel saves it. The
 * platform adapters only say where the bytes are (`ChatUpload.download`); what counts as a usable
 * CSV is decided here, once for both platforms.
 */
import { AppError } from '../errors.js';
import type { ChatUpload } from './context.js';

/** Larger than any real mapping (500 mailboxes export to about 60 KB) and small enough to hold in memory. */
export const MAX_CSV_BYTES = 2 * 1024 * 1024;

const CSV_MIME = /^(text\/(csv|comma-separated-values|plain)|application\/(csv|vnd\.ms-excel))\b/i;

/** Excel's "CSV UTF-8" is .csv with text/csv (or application/vnd.ms-excel on Windows); a .txt export is fine too. */
export function isCsvUpload(upload: Pick<ChatUpload, 'name' | 'mimetype' | 'filetype'>): boolean {
  const extension = /\.([a-z0-9]+)$/i.exec(upload.name)?.[1]?.toLowerCase();
  if (extension) return extension === 'csv' || extension === 'txt';
  const filetype = upload.filetype?.toLowerCase();
  if (filetype) return filetype === 'csv' || filetype === 'text';
  return CSV_MIME.test(upload.mimetype ?? '');
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Refuses what cannot be a mapping CSV (with what to do instead), then downloads and decodes it. */
export async function readCsvUpload(upload: ChatUpload, project: string): Promise<string> {
  const name = upload.name.slice(0, 80);
  if (!isCsvUpload(upload)) {
    throw new AppError('BAD_INPUT', `“${name}” is not a CSV file, so nothing was imported. Export the mapping with \`match ${project} export\`, edit it, save it as CSV (in Excel: Save As → CSV UTF-8) and share that file with \`match ${project} import\`.`, {
      details: { file: name },
    });
  }
  if (upload.size !== undefined && upload.size > MAX_CSV_BYTES) throw tooLarge(name, upload.size);
  const text = await upload.download(MAX_CSV_BYTES);
  // Excel's "CSV UTF-8" starts with a byte order mark, which would otherwise hide the header's first column.
  return text.replace(/^\uFEFF/, '');
}

function tooLarge(name: string, bytes: number | undefined): AppError {
  const size = bytes === undefined ? 'over 2 MB' : megabytes(bytes);
  return new AppError('BAD_INPUT', `“${name.slice(0, 80)}” is ${size}; a mapping CSV may be at most ${megabytes(MAX_CSV_BYTES)}, so nothing was imported. Remove columns you added, or split the file and import each part.`, {
    details: { file: name.slice(0, 80) },
  });
}

/** Why a download failed, in words for chat; `hint` says what the person can do about it. */
export function downloadFailed(name: string, platform: string, why: string, hint: string): AppError {
  return new AppError('CONNECTION_FAILED', `${platform} would not hand over “${name.slice(0, 80)}” (${why}), so nothing was imported. ${hint}`, {
    retryable: true,
    details: { file: name.slice(0, 80) },
  });
}

/**
 * GETs a file as text, reading at most maxBytes (the body is streamed, so a huge file is cut off,
 * not buffered). Redirects are not followed: Slack answers a request it will not serve with a
 * redirect to its sign-in page, which must not be mistaken for the file.
 */
export async function fetchText(
  url: string,
  options: { name: string; platform: string; maxBytes: number; headers?: Record<string, string>; hint: string },
): Promise<string> {
  const { name, platform, maxBytes, hint } = options;
  let response: Response;
  try {
    response = await fetch(url, { headers: options.headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? 'no answer within 15 s' : 'the connection failed';
    throw downloadFailed(name, platform, why, hint);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    const why = response.status >= 300 && response.status < 400 ? 'it asked mailferry to sign in' : `HTTP ${response.status}`;
    throw downloadFailed(name, platform, why, hint);
  }
  if (/text\/html/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel().catch(() => undefined);
    throw downloadFailed(name, platform, 'it sent a web page instead of the file', hint);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(name, declared);
  }
  return readLimited(response, name, maxBytes);
}

async function readLimited(response: Response, name: string, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(name, undefined);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}
