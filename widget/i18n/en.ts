import type { Texts } from './types';

// prompt, up, down, neutral, thanks, queued, failed, more, send, skip, reasons: see Texts.
export default [
  'Was this helpful?',
  'Helpful',
  'Not helpful',
  'Neutral',
  'Thanks for your feedback!',
  'Saved. It will be sent as soon as possible.',
  'Sorry, your feedback could not be sent.',
  'Tell us more (optional)',
  'Send',
  'Skip',
  'Incorrect|Not relevant|Unclear|Incomplete',
] satisfies Texts;
