import type { Texts } from './types';

// prompt, up, down, neutral, thanks, more, send, skip, reasons: see Texts.
export default [
  'Was this helpful?',
  'Helpful',
  'Not helpful',
  'Neutral',
  'Thanks for your feedback!',
  'Tell us more (optional)',
  'Send',
  'Skip',
  'Incorrect|Not relevant|Unclear|Incomplete',
] satisfies Texts;
