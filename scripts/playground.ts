/**
 * `npm run playground`: opens the Microsoft 365 Agents Playground (a local, offline Teams look-alike)
 * against the running bot. It does not start the bot: run `npm start` in another terminal first.
 * Users, tenant and chats come from .m365agentsplayground.yml.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const port = Number(process.env.PORT ?? 3978);
const base = `http://127.0.0.1:${port}`;

async function botAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

function playgroundCli(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@microsoft/m365agentsplayground/package.json');
  const pkg = require(pkgPath) as { bin: Record<string, string> };
  return join(dirname(pkgPath), pkg.bin.agentsplayground ?? 'cli.js');
}

async function main(): Promise<void> {
  if (!(await botAnswers())) {
    console.error(`mailferry does not answer on ${base}/healthz. Start it with \`npm start\` in another terminal (same PORT), then run \`npm run playground\` again.`);
    process.exit(1);
  }
  if (process.env.TEAMS_APP_ID) {
    console.warn('TEAMS_APP_ID is set: the bot expects Bot Framework tokens, which the playground does not send. Unset it for local use.');
  }
  const args = [playgroundCli(), '-e', `${base}/api/messages`, '-c', 'msteams', '--disable-telemetry', ...process.argv.slice(2)];
  console.log(`Starting the Agents Playground against ${base}/api/messages (users from .m365agentsplayground.yml)…`);
  const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: process.cwd() });
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => {
    // The playground exits 1 without a word when .m365agentsplayground.yml breaks its schema.
    if (code) console.error(`The Agents Playground stopped (exit ${code}). If it stopped at once, check .m365agentsplayground.yml against its schema (exactly five users).`);
    process.exit(code ?? 0);
  });
}

await main();
