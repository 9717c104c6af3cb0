import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { slackUploads } from './slack-files.js';
import { SlackWeb } from './slack-web.js';

describe('slackUploads', () => {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n');
  });
  let origin = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const file = (url: string) => ({ id: 'F1', name: 'mapping.csv', mimetype: 'text/csv', filetype: 'csv', size: 4, url_private_download: url });

  it('reads name, size and type from files[] and downloads with the bot token from the Slack API host', async () => {
    const web = new SlackWeb({ token: 'xoxb-test', apiUrl: `${origin}/api/`, log: createLogger('silent') });
    const [upload] = slackUploads([file(`${origin}/files-pri/T-F1/download/mapping.csv`)], web);
    expect(upload).toMatchObject({ name: 'mapping.csv', size: 4, mimetype: 'text/csv', filetype: 'csv' });
    expect(await upload!.download(1000)).toBe('a,b\n');
    expect(seen.at(-1)).toBe('Bearer xoxb-test');
  });

  it('never sends the token to a host that is not Slack’s', async () => {
    const web = new SlackWeb({ token: 'xoxb-test', apiUrl: 'https://slack.example/api/', log: createLogger('silent') });
    const before = seen.length;
    const [upload] = slackUploads([file(`${origin}/files-pri/T-F1/download/mapping.csv`)], web);
    await expect(upload!.download(1000)).rejects.toSatisfy((e) => AppError.is(e, 'CONNECTION_FAILED') && e.userMessage.includes('not on a Slack file host'));
    expect(seen.length).toBe(before);
  });
});
