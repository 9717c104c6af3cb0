/**
 * A view_submission carries no channel, yet the answer (a project card, an error) belongs in the
 * channel where the form was asked for. We wrap the renderer's private_metadata in an envelope
 * holding the channel, and unwrap it on submit. Slack caps private_metadata at 3000 characters.
 */
interface Envelope {
  /** Channel the form was opened from. */
  c?: string;
  /** The renderer's own private_metadata, untouched. */
  m: string;
}

const MAX_METADATA = 3000;

export function wrapModalMetadata(metadata: string | undefined, channelId: string | undefined): string {
  const wrapped = JSON.stringify({ c: channelId, m: metadata ?? '' } satisfies Envelope);
  // Too long to wrap: keep the renderer's data intact; the answer then goes to a DM.
  return wrapped.length <= MAX_METADATA ? wrapped : (metadata ?? '');
}

export function unwrapModalMetadata(raw: string | undefined): { channelId: string | undefined; metadata: string } {
  if (!raw) return { channelId: undefined, metadata: '' };
  try {
    const parsed = JSON.parse(raw) as Partial<Envelope>;
    if (parsed && typeof parsed === 'object' && typeof parsed.m === 'string') {
      return { channelId: typeof parsed.c === 'string' ? parsed.c : undefined, metadata: parsed.m };
    }
  } catch {
    // Not an envelope: a modal opened by an older version; the raw value is the data.
  }
  return { channelId: undefined, metadata: raw };
}
