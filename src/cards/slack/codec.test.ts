import { describe, expect, it } from 'vitest';
import { parseAction } from '../verbs.js';
import { decodeSlackAction, readSlackModalValues, rowBlockId, verbOptionValue } from './codec.js';
import { ActionIds, button } from './blocks.js';

describe('Slack action codec', () => {
  it('round-trips a button: verb from the action_id, data from the value', () => {
    const ids = new ActionIds();
    const data = { projectId: 'p-1', side: 'destination' as const };
    const first = button({ label: 'Connect', verb: 'connect.open', data }, ids);
    const second = button({ label: 'Connect', verb: 'connect.open', data }, ids);
    expect(first.action_id).not.toBe(second.action_id);
    const decoded = decodeSlackAction({ action_id: String(first.action_id), value: String(first.value) });
    expect(decoded).toEqual({ verb: 'connect.open', data });
    expect(parseAction(decoded.verb, decoded.data)).toMatchObject({ ok: true, action: { verb: 'connect.open', payload: data } });
  });

  it('decodes a row select: an address overrides, a verb option runs that verb on the row', () => {
    const row = { projectId: 'p-1', mappingId: 'm-1', filter: 'needs_review', page: 3 };
    const blockId = rowBlockId(row);
    expect(decodeSlackAction({ action_id: 'mapping.override:7', selected_option: { value: 'bob@new.example' } }, blockId))
      .toEqual({ verb: 'mapping.override', data: { ...row, destination: 'bob@new.example' } });
    expect(decodeSlackAction({ action_id: 'mapping.override:7', selected_option: { value: verbOptionValue('mapping.exclude') } }, blockId))
      .toEqual({ verb: 'mapping.exclude', data: row });
    // An address that happens to start like a verb option is still an address.
    expect(decodeSlackAction({ action_id: 'mapping.override:7', selected_option: { value: 'verb:x@new.example' } }, blockId).data.destination).toBe('verb:x@new.example');
  });

  it('turns forged or broken payloads into empty data that parseAction refuses', () => {
    const decoded = decodeSlackAction({ action_id: 'scan.start:0', value: '{not json' });
    expect(decoded).toEqual({ verb: 'scan.start', data: {} });
    expect(parseAction(decoded.verb, decoded.data)).toMatchObject({ ok: false });
    expect(decodeSlackAction({ action_id: 'rm -rf', value: '[1]' })).toEqual({ verb: 'rm -rf', data: {} });
    expect(parseAction('rm -rf', {})).toMatchObject({ ok: false });
  });

  it('reads modal state values by block id, empty as "" and checkboxes as "true"/"false"', () => {
    expect(readSlackModalValues({
      name: { name: { type: 'plain_text_input', value: 'acme' } },
      note: { note: { type: 'plain_text_input', value: null } },
      port: { port: { type: 'number_input', value: '993' } },
      source: { source: { type: 'static_select', selected_option: { value: 'imap' } } },
      none: { none: { type: 'static_select', selected_option: null } },
      tls: { tls: { type: 'checkboxes', selected_options: [{ value: 'true' }] } },
      off: { off: { type: 'checkboxes', selected_options: [] } },
    })).toEqual({ name: 'acme', note: '', port: '993', source: 'imap', none: '', tls: 'true', off: 'false' });
  });
});
