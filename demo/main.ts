import { randomUUID } from 'node:crypto';
import { runCli } from '../collector/src/cli';
import { demoHandler } from './server';
import { startDemoVendor } from './vendor';

/**
 * `npm start`: the collector as the environment configures it, with the demo pages and, for
 * `npm run start:forward`, the fake vendor APIs demo/forward.example.json points at.
 */
if (process.env.DEMO_VENDOR_PORT) {
  process.env.DEMO_VENDOR_KEY ??= randomUUID();
  const vendor = await startDemoVendor(
    Number(process.env.DEMO_VENDOR_PORT),
    process.env.DEMO_VENDOR_KEY,
  );
  console.log(`Demo vendor APIs (votes are forwarded there): ${vendor.url}`);
}
const [secret] = (process.env.FEEDBACK_SECRET ?? '').split(',').map((text) => text.trim());
await runCli(process.argv.slice(2), process.env, {
  wrap: (collector) => demoHandler(collector, secret || undefined),
  banner: (url) => [`Demo pages: ${url}chat  ${url}article  ${url}playground`],
});
