/**
 * Files shared with a Slack message (`files[]` of a `file_share` message or an `app_mention`) as
 * platform-neutral uploads. Nothing is downloaded here: a command that wants the file calls
 * download(), which fetches url_private_download with the bot token.
 */
import type { ChatUpload } from '../context.js';
import { downloadFailed } from '../csv-upload.js';
import type { SlackWeb } from './slack-web.js';

interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
}

export function slackUploads(files: unknown, web: SlackWeb): ChatUpload[] {
  if (!Array.isArray(files)) return [];
  return (files as SlackFile[]).filter((f) => f && typeof f === 'object').map((file) => {
    const name = file.name || file.title || file.id || 'file';
    const url = file.url_private_download ?? file.url_private;
    return {
      name,
      ...(typeof file.size === 'number' ? { size: file.size } : {}),
      ...(file.mimetype ? { mimetype: file.mimetype } : {}),
      ...(file.filetype ? { filetype: file.filetype } : {}),
      download: async (maxBytes: number) => {
        // Files from another organisation (Slack Connect) arrive without links.
        if (!url) throw downloadFailed(name, 'Slack', 'the message carried no download link', 'Upload the file from your own computer instead of sharing an existing one, then try again.');
        return web.downloadFile(url, name, maxBytes);
      },
    };
  });
}
