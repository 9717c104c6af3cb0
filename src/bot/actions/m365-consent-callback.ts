/**
 * GET /consent/m365/callback: Microsoft sends the admin back here after the consent page. The
 * engine checks the signed state and saves the connection (after acquiring a token in the tenant);
 * the browser gets a short page saying what happened, and the project's channel a message.
 * Neither ever shows a secret.
 */
import type express from 'express';
import type { ConnectResultView } from '../../cards/views.js';
import type { Engine } from '../../engine/index.js';
import { toAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ChatSender } from '../context.js';
import { nextStep } from '../presenters/project.js';

export const CONSENT_CALLBACK_ROUTE = '/consent/m365/callback';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function consentPage(ok: boolean, title: string, text: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · mailferry</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}h1{font-size:1.4rem;color:${ok ? '#107c10' : '#a4262c'}}</style></head>
<body><h1>${ok ? '✅' : '❌'} ${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p>You can close this tab and go back to the chat.</p></body></html>`;
}

function one(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 4096 ? value : undefined;
}

export interface ConsentCallbackDeps {
  engine: Engine;
  /** Filled once the chat adapters are mounted. */
  senders: readonly ChatSender[];
  log: Logger;
}

async function tell(deps: ConsentCallbackDeps, channelKey: string, view: ConnectResultView): Promise<void> {
  const platform = channelKey.startsWith('slack:') ? 'slack' : channelKey.startsWith('teams:') ? 'teams' : null;
  const sender = deps.senders.find((s) => s.platform === platform);
  if (!sender) return;
  try {
    await sender.post(channelKey, view);
  } catch (error) {
    deps.log.warn({ err: toAppError(error).code, channelKey }, 'could not post the consent result in the channel');
  }
}

export function consentCallbackHandler(deps: ConsentCallbackDeps): express.RequestHandler {
  return async (req, res) => {
    const q = req.query;
    const tenant = one(q.tenant);
    try {
      const outcome = await deps.engine.completeM365Consent({
        state: one(q.state) ?? '', tenant, adminConsent: one(q.admin_consent), error: one(q.error), errorDescription: one(q.error_description),
      });
      const { project, side } = outcome;
      const sentence = `Microsoft 365 connected as ${side} of ${project.name}: tenant ${tenant ?? ''}.`;
      res.status(200).type('html').send(consentPage(true, 'Microsoft 365 connected', sentence));
      await tell(deps, outcome.channelKey, {
        kind: 'connect_result', projectName: project.name, side, ok: true, problems: [],
        summary: `Microsoft 365 connected as ${side}: tenant ${tenant ?? ''}. ${nextStep(project)}`.trim(),
        actions: project.stage === 'ready_to_scan'
          ? [{ label: 'Scan now', verb: 'scan.start', data: { projectId: project.id }, style: 'primary' }]
          : [{ label: 'Project', verb: 'project.show', data: { projectId: project.id } }],
      });
    } catch (error) {
      const e = toAppError(error);
      if (e.code === 'INTERNAL') deps.log.error({ err: error }, 'consent callback failed');
      res.status(e.code === 'INTERNAL' ? 500 : 400).type('html').send(consentPage(false, 'Microsoft 365 was not connected', e.userMessage));
      const channelKey = typeof e.details?.channelKey === 'string' ? e.details.channelKey : null;
      const projectId = typeof e.details?.projectId === 'string' ? e.details.projectId : null;
      const side = e.details?.side === 'destination' ? 'destination' : 'source';
      if (!channelKey || !projectId) return;
      await tell(deps, channelKey, {
        kind: 'connect_result', projectName: typeof e.details?.projectName === 'string' ? e.details.projectName : 'the project', side, ok: false,
        summary: e.userMessage, problems: [],
        actions: [{ label: 'Try again', verb: 'connect.open', data: { projectId, side }, style: 'primary' }],
      });
    }
  };
}
