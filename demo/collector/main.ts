import { randomUUID } from 'node:crypto';
import { startDemoVendor } from '../vendor';
import { createCollector } from './collector';
import { CollectorConfigError, configFromEnv } from './config';

/** `npx tsx demo/collector/main.ts`: the collector as the environment configures it. */
async function main(): Promise<void> {
  // `npm run start:forward`: the fake vendor APIs demo/forward.example.json points at.
  if (process.env.DEMO_VENDOR_PORT) {
    process.env.DEMO_VENDOR_KEY ??= randomUUID();
    const vendor = await startDemoVendor(
      Number(process.env.DEMO_VENDOR_PORT),
      process.env.DEMO_VENDOR_KEY,
    );
    console.log(`Demo vendor APIs (votes are forwarded there): ${vendor.url}`);
  }
  const config = configFromEnv(process.env);
  // Listening before start-up: a signal that arrives while the database opens stops the
  // collector once it is up, instead of killing it halfway.
  let signalled: string | undefined;
  let stop = (signal: string) => {
    signalled = signal;
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const collector = await createCollector(config);
  stop = (signal: string) => {
    console.log(`${signal}: finishing requests in flight, then stopping.`);
    collector.close().then(
      () => process.exit(0),
      (error) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  if (signalled !== undefined) {
    stop(signalled);
    return;
  }
  console.log(`feedback-widget collector: ${collector.url}`);
  const url = collector.url;
  console.log(`Demo pages: ${url}chat  ${url}article  ${url}playground`);
  console.log(`Dashboard:  ${url}dashboard`);
  console.log(
    config.databaseUrl
      ? 'Storing votes in PostgreSQL (DATABASE_URL).'
      : `Storing votes in PGlite at ${config.dataDir}.`,
  );
  console.log(
    config.feedbackSecrets.length > 0
      ? 'Votes need a token signed with FEEDBACK_SECRET.'
      : 'Votes are open to anyone: set FEEDBACK_SECRET to require signed tokens.',
  );
  console.log(
    config.adminToken
      ? 'Reads and the dashboard need ADMIN_TOKEN.'
      : 'Reads and the dashboard answer this machine only: set ADMIN_TOKEN to read from elsewhere.',
  );
}

/** Start-up failures an operator can fix, as one line naming the setting; anything else in full. */
function describe(error: unknown): unknown {
  if (error instanceof CollectorConfigError) return error.message;
  const { code, address, port } = error as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
  };
  if (code === 'EADDRINUSE') return `\`PORT\` ${port} is already in use on ${address}.`;
  if (code === 'EACCES' && port !== undefined) {
    return `\`PORT\` ${port} on ${address} needs privileges this user lacks.`;
  }
  if (code === 'EADDRNOTAVAIL') return `\`HOST\` ${address} is not an address of this machine.`;
  return error;
}

main().catch((error) => {
  console.error(describe(error));
  process.exit(1);
});
