import { describe, expect, it } from 'vitest';
import { unwrapModalMetadata, wrapModalMetadata } from './slack-modal-envelope.js';

describe('modal metadata envelope', () => {
  it('carries the channel beside the renderer’s metadata, untouched', () => {
    const inner = JSON.stringify({ projectId: 'p1', side: 'source' });
    expect(unwrapModalMetadata(wrapModalMetadata(inner, 'C42'))).toEqual({ channelId: 'C42', metadata: inner });
  });

  it('reads metadata that is not an envelope as the renderer’s own', () => {
    expect(unwrapModalMetadata('{"projectId":"p1"}')).toEqual({ channelId: undefined, metadata: '{"projectId":"p1"}' });
    expect(unwrapModalMetadata('')).toEqual({ channelId: undefined, metadata: '' });
  });

  it('keeps the renderer’s data when the envelope would exceed Slack’s 3000 characters', () => {
    const big = 'x'.repeat(2990);
    expect(wrapModalMetadata(big, 'C1')).toBe(big);
  });
});
