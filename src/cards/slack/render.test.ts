import { describe, expect, it } from 'vitest';
import { parseAction } from '../verbs.js';
import type { FormView, View } from '../views.js';
import { matchReviewFixture, scanFixture, viewFixtures } from '../view-fixtures.js';
import { mailboxLogFixture, runFixture, verificationFixture } from '../run-fixtures.js';
import { approvalFixture, approvalsFixture, shortfallFixture } from '../credit-fixtures.js';
import { decodeSlackAction } from './codec.js';
import { renderSlackMessage, type SlackBlock } from './render.js';

type Json = Record<string, unknown>;

function walk(node: unknown, visit: (o: Json) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Json);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}

const text = (t: unknown) => (t as { text: string }).text;

/** Every Block Kit limit the renderers promise; returns the broken ones. */
function limitProblems(blocks: SlackBlock[]): string[] {
  const problems: string[] = [];
  const fail = (m: string) => problems.push(m);
  if (blocks.length > 50) fail(`${blocks.length} blocks`);
  const actionIds = new Set<string>();
  const blockIds = new Set<string>();
  for (const b of blocks) {
    if (b.block_id) {
      if (b.block_id.length > 255) fail(`block_id ${b.block_id.length}`);
      if (blockIds.has(b.block_id)) fail(`duplicate block_id ${b.block_id}`);
      blockIds.add(b.block_id);
    }
    if (b.type === 'header' && text(b.text).length > 150) fail('header too long');
    if (b.type === 'section') {
      if (b.text && text(b.text).length > 3000) fail('section text too long');
      const fields = (b.fields as unknown[] | undefined) ?? [];
      if (fields.length > 10) fail('too many fields');
      if (fields.some((f) => text(f).length > 2000)) fail('field too long');
      if (!b.text && fields.length === 0) fail('empty section');
    }
    if (b.type === 'actions' && (b.elements as unknown[]).length > 25) fail('too many elements');
    if (b.type === 'context' && (b.elements as unknown[]).length > 10) fail('too many context elements');
  }
  walk(blocks, (o) => {
    if (typeof o.action_id === 'string') {
      if (o.action_id.length > 255) fail('action_id too long');
      if (actionIds.has(o.action_id)) fail(`duplicate action_id ${o.action_id}`);
      actionIds.add(o.action_id);
    }
    if (o.type === 'button') {
      if (text(o.text).length > 75) fail('button text too long');
      if (String(o.value).length > 2000) fail('button value too long');
    }
    if (o.type === 'static_select') {
      const options = [...((o.options as Json[]) ?? []), ...((o.option_groups as { options: Json[] }[]) ?? []).flatMap((g) => g.options)];
      if (options.length > 100) fail(`${options.length} options`);
      if (options.some((op) => text(op.text).length > 75 || String(op.value).length > 150)) fail('option too long');
    }
  });
  return problems;
}

/** Every click a message offers: buttons, and each option of each select. */
function clicks(blocks: SlackBlock[]): { verb: string; data: Json }[] {
  const found: { verb: string; data: Json }[] = [];
  for (const block of blocks) {
    walk(block, (o) => {
      // A link button (url, no value) opens its page; Slack's click report is ignored by the bot.
      if (o.type === 'button' && !o.url) found.push(decodeSlackAction({ action_id: String(o.action_id), value: String(o.value) }, block.block_id));
      if (o.type === 'static_select') {
        const options = ((o.option_groups as { options: { value: string }[] }[]) ?? []).flatMap((g) => g.options);
        for (const op of options) found.push(decodeSlackAction({ action_id: String(o.action_id), selected_option: { value: op.value } }, block.block_id));
      }
    });
  }
  return found;
}

const cases: [string, View][] = [
  ...Object.entries(viewFixtures),
  ['match_review 5,000 mailboxes', matchReviewFixture(5000)],
  ['match_review with an oversized page', matchReviewFixture(5000, 200)],
  ['scan 1,000 rows', scanFixture(1000)],
  ['run completed with verification', runFixture('completed')],
  ['run cancelled', runFixture('cancelled')],
  ['verification of 1,000 mailboxes', verificationFixture(1000)],
  ['mailbox_log with 50 entries', mailboxLogFixture(50)],
  ['mailbox_log empty', { ...mailboxLogFixture(0), page: 0, pageCount: 0, total: 0, actions: [] }],
  ['approval, last page of 1,000', approvalFixture({ page: 99 })],
  ['approval approved', approvalFixture({ decided: 'approved' })],
  ['approval rejected, 3 mailboxes', approvalFixture({ total: 3, decided: 'rejected' })],
  ['approval read-only (Teams base card)', approvalFixture({ buttons: false })],
  ['approvals, 45 waiting', approvalsFixture(45)],
  ['approvals, none', approvalsFixture(0)],
  ['shortfall, 2 mailboxes', shortfallFixture(2)],
];

describe.each(cases)('Slack message: %s', (_name, view) => {
  const message = renderSlackMessage(view);

  it('stays within Block Kit limits and has a notification text', () => {
    expect(limitProblems(message.blocks)).toEqual([]);
    expect(message.text.length).toBeGreaterThan(0);
    expect(message.blocks.length).toBeGreaterThan(0);
    // Our own budget: Slack documents no byte limit for messages, but 100-option selects on every row would be ~300 KB.
    expect(JSON.stringify(message).length).toBeLessThan(120_000);
  });

  it('offers only clicks that decode to valid actions', () => {
    for (const click of clicks(message.blocks)) expect(parseAction(click.verb, click.data), click.verb).toMatchObject({ ok: true });
  });

  it('escapes user text so it cannot mention or link', () => {
    expect(JSON.stringify(message)).not.toContain('<@U123>');
  });
});

describe('Slack message snapshots', () => {
  it.each(Object.entries(viewFixtures))('%s', (_kind, view) => {
    expect(renderSlackMessage(view)).toMatchSnapshot();
  });
});

describe('Slack message behaviour', () => {
  it('the limit check catches a broken message', () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }));
    expect(limitProblems(tooMany)).toEqual(expect.arrayContaining(['51 blocks', 'section text too long']));
  });

  it('puts a 25-row match page on one screen with a select per row', () => {
    const view = matchReviewFixture(5000);
    const { blocks } = renderSlackMessage(view);
    const rows = blocks.filter((b) => b.block_id?.startsWith('row:'));
    expect(rows).toHaveLength(25);
    const all = clicks(blocks);
    const needsReview = view.rows[1]!;
    const forRow = all.filter((c) => c.data.mappingId === needsReview.mappingId);
    expect(forRow.map((c) => c.verb).slice(0, 3)).toEqual(['mapping.create_missing', 'mapping.exclude', 'mapping.override']);
    expect(forRow[2]!.data).toEqual({ projectId: view.projectId, mappingId: needsReview.mappingId, filter: 'all', page: 1, destination: 'candidate0.${mailbox}@newco.example' });
    expect(all.filter((c) => c.data.mappingId === view.rows[3]!.mappingId).map((c) => c.verb)).toEqual(['mapping.include']);
    expect(JSON.stringify(blocks)).toContain('…and 4,950 more mailboxes');
    expect(all.map((c) => c.verb)).toEqual(expect.arrayContaining(['match.open', 'match.export', 'match.import_open']));
  });

  it('cuts a 1,000-row scan and counts what is left out', () => {
    const json = JSON.stringify(renderSlackMessage(scanFixture(1000)).blocks);
    const shown = (json.match(/mailbox\d+@old-corp\.example/g) ?? []).length;
    expect(shown).toBeGreaterThan(50);
    expect(json).toContain(`…and ${(1000 - shown - 1).toLocaleString('en-US')} more mailboxes`);
    expect(json).toContain('▓▓▓▓▓░░░░░ 52 %');
  });

  it('renders a form as a pointer to its modal', () => {
    const { text: fallback } = renderSlackMessage(viewFixtures.form as FormView);
    expect(fallback).toBe('Connect the source of acme');
  });
});

describe('Slack copy-run messages', () => {
  it('a running card shows health markers with reasons and only a Cancel button', () => {
    const { blocks, text: fallback } = renderSlackMessage(runFixture('running'));
    const json = JSON.stringify(blocks);
    expect(fallback).toBe('Full run of acme: Copying, 48 %');
    expect(json).toContain('🐢 *ceo@old-corp.example* — Throttled by destination — retrying in 30 s');
    expect(json).toContain('…and 35 more mailboxes');
    expect(clicks(blocks).map((c) => c.verb)).toEqual(['run.cancel']);
  });

  it('a finished card carries the verification score and Retry failed (mode retry)', () => {
    const { blocks } = renderSlackMessage(runFixture('completed'));
    expect(JSON.stringify(blocks)).toContain('Verification: 99.8 % consistent');
    expect(clicks(blocks)).toEqual([{ verb: 'run.launch', data: { projectId: '6f1c2a9e-4b7d-4e3a-9a51-0c2d8e7f1a23', mode: 'retry' } }]);
  });

  it('cuts a 1,000-mailbox verification and counts the rest', () => {
    const json = JSON.stringify(renderSlackMessage(verificationFixture(1000)).blocks);
    const shown = (json.match(/\*user\d+@old-corp\.example\* · /g) ?? []).length;
    expect(shown).toBeGreaterThan(50);
    expect(json).toContain(`…and ${(3000 - shown).toLocaleString('en-US')} more folders`);
    expect(json.indexOf('*37 missing*')).toBeGreaterThan(0);
  });

  it('pages the mailbox log with Previous and Next', () => {
    const { blocks } = renderSlackMessage(mailboxLogFixture());
    expect(JSON.stringify(blocks)).toContain('page 2 of 4 · 90 events');
    expect(clicks(blocks).map((c) => c.data.page)).toEqual([0, 2]);
  });
});
