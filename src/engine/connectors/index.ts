import { AppError } from '../../errors.js';
import { createSandboxConnector } from './sandbox/sandbox-connector.js';
import type { ConnectionSettings, Connector, ConnectorEnv } from './types.js';

// Loaded once: every job opens connectors, and a dynamic import() goes through the module loader each time it is called.
let imapModule: Promise<typeof import('./imap/imap-connector.js')> | undefined;
let m365Module: Promise<typeof import('./m365/m365-connector.js')> | undefined;

/**
 * The one place that knows which connector serves which platform. IMAP and Microsoft 365 are loaded on
 * demand so a process that only uses the sandbox never loads their clients.
 */
export async function createConnector(settings: ConnectionSettings, env: ConnectorEnv = {}): Promise<Connector> {
  switch (settings.platform) {
    case 'imap': {
      const { createImapConnector } = await (imapModule ??= import('./imap/imap-connector.js'));
      return createImapConnector(settings);
    }
    case 'sandbox':
      return createSandboxConnector(settings);
    case 'm365': {
      const { createM365Connector } = await (m365Module ??= import('./m365/m365-connector.js'));
      return createM365Connector(settings, env);
    }
    default:
      throw new AppError('UNSUPPORTED', `The ${settings.platform} connector is not available yet. Use IMAP, Microsoft 365 or the sandbox for now.`);
  }
}
