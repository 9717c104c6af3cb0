import { AppError } from '../../errors.js';
import { createSandboxConnector } from './sandbox/sandbox-connector.js';
import type { ConnectionSettings, Connector } from './types.js';

/**
 * The one place that knows which connector serves which platform. IMAP is loaded on demand so a
 * process that only uses the sandbox never loads the IMAP client.
 */
export async function createConnector(settings: ConnectionSettings): Promise<Connector> {
  switch (settings.platform) {
    case 'imap': {
      const { createImapConnector } = await import('./imap/imap-connector.js');
      return createImapConnector(settings);
    }
    case 'sandbox':
      return createSandboxConnector(settings);
    default:
      throw new AppError('UNSUPPORTED', `The ${settings.platform} connector is not available yet. Use IMAP or the sandbox for now.`);
  }
}
