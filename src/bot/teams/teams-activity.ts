import type { Activity } from 'botbuilder';
import type { ChatContext } from '../context.js';

/** Reading a Teams activity into the platform-neutral pieces of a ChatContext. */

export function tenantOf(activity: Partial<Activity>): string {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return channelData?.tenant?.id ?? activity.conversation?.tenantId ?? 'unknown';
}

export function orgOf(activity: Partial<Activity>): ChatContext['org'] {
  const tenant = tenantOf(activity);
  const team = (activity.channelData as { team?: { name?: string } } | undefined)?.team?.name;
  return { id: `teams:${tenant}`, name: team ?? `Teams tenant ${tenant.slice(0, 8)}` };
}

export function actorOf(activity: Partial<Activity>): ChatContext['actor'] {
  const from = activity.from ?? { id: 'unknown', name: 'unknown' };
  return { id: from.aadObjectId ?? from.id, name: from.name ?? from.id, platformAdmin: false };
}

/** Channel threads arrive as `19:…@thread.tacv2;messageid=…`; the channel is the part before. */
export function channelOf(activity: Partial<Activity>): ChatContext['channel'] {
  const id = (activity.conversation?.id ?? 'unknown').replace(/;messageid=.*$/, '');
  return { key: `teams:${id}`, direct: activity.conversation?.conversationType === 'personal' };
}

const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The command text: the bot's own mention is gone (teams-ai removes it), other mentions become
 * `<@aadObjectId or id>` so `roles add @Megan helpdesk` names a user id, and `/migrate` or a
 * leading slash is optional, as in Slack.
 */
export function commandTextOf(activity: Partial<Activity>): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    if (entity.type !== 'mention') continue;
    const mentioned = entity.mentioned as { id?: string; aadObjectId?: string } | undefined;
    const mentionText = entity.text as string | undefined;
    if (!mentioned?.id || !mentionText) continue;
    const replacement = mentioned.id === activity.recipient?.id ? '' : `<@${mentioned.aadObjectId ?? mentioned.id}>`;
    text = text.split(mentionText).join(replacement);
  }
  text = text.replace(/<at>[^<]*<\/at>/g, '').replace(/<\/?[a-z][^>]*>/gi, ' ');
  text = text.replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
  return text.replace(/\s+/g, ' ').trim().replace(/^\/(migrate\b)?\s*/i, '');
}

interface FileAttachment {
  contentType?: string;
  contentUrl?: string;
  name?: string;
  content?: { downloadUrl?: string; fileType?: string };
}

const MAX_FILE_BYTES = 2_000_000;

/** Text/CSV files attached to a message, downloaded (Teams gives a pre-authorised downloadUrl). */
export async function downloadTextAttachments(activity: Partial<Activity>): Promise<{ name: string; text: string }[]> {
  const files: { name: string; text: string }[] = [];
  for (const attachment of (activity.attachments ?? []) as FileAttachment[]) {
    const isTeamsFile = attachment.contentType === 'application/vnd.microsoft.teams.file.download.info';
    const isCsv = isTeamsFile ? ['csv', 'txt'].includes(attachment.content?.fileType ?? '') : /^text\/(csv|plain)/.test(attachment.contentType ?? '');
    const url = isTeamsFile ? attachment.content?.downloadUrl : attachment.contentUrl;
    if (!isCsv || !url || !/^https?:/.test(url)) continue;
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) continue;
    const text = await res.text();
    if (text.length <= MAX_FILE_BYTES) files.push({ name: attachment.name ?? 'file.csv', text });
  }
  return files;
}
