import type { Messages } from './types';

export default {
  prompt: 'Was this helpful?',
  up: 'Helpful',
  down: 'Not helpful',
  neutral: 'Neutral',
  thanks: 'Thanks for your feedback!',
  more: 'Tell us more (optional)',
  send: 'Send',
  skip: 'Skip',
  reasons: 'Incorrect|Not relevant|Unclear|Incomplete',
} satisfies Messages;
