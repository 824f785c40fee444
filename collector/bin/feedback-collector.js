#!/usr/bin/env node
// The bin npm links at install time, in the repository too, where the compiled collector
// (`dist/`) only appears with `npm run build`: this file exists from the start, so the link does.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) {
    throw error;
  }
  console.error('feedback-collector is not built yet: run `npm run build` in the repository.');
  process.exit(1);
}
