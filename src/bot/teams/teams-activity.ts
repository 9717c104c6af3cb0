import type { Activity } from 'botbuilder';
import type { ChatContext, ChatUpload } from '../context.js';
import { downloadFailed, fetchText } from '../csv-upload.js';

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

const TEAMS_FILE = 'application/vnd.microsoft.teams.file.download.info';

/**
 * Files attached to a message, not downloaded yet: Teams file attachments (`file.download.info`,
 * whose downloadUrl is pre-authorised and short-lived) of any type, so that a wrong type can be
 * refused by name, and inline text/CSV attachments. The message's own HTML copy and cards are not files.
 */
export function teamsUploads(activity: Partial<Activity>): ChatUpload[] {
  const uploads: ChatUpload[] = [];
  for (const attachment of (activity.attachments ?? []) as FileAttachment[]) {
    const isTeamsFile = attachment.contentType === TEAMS_FILE;
    if (!isTeamsFile && !/^text\/(csv|plain)/i.test(attachment.contentType ?? '')) continue;
    const url = isTeamsFile ? attachment.content?.downloadUrl : attachment.contentUrl;
    const name = attachment.name ?? 'file';
    const fileType = isTeamsFile ? attachment.content?.fileType : undefined;
    uploads.push({
      name,
      ...(fileType ? { filetype: fileType } : {}),
      ...(isTeamsFile ? {} : { mimetype: attachment.contentType }),
      download: async (maxBytes) => {
        const hint = 'Attach the file again (its download link expires after a few minutes) and send the message once more.';
        if (!url || !/^https?:/i.test(url)) throw downloadFailed(name, 'Teams', 'the attachment carried no download link', hint);
        return fetchText(url, { name, platform: 'Teams', maxBytes, hint });
      },
    });
  }
  return uploads;
}
