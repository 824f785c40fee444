import type { Messages } from './types';

export default {
  prompt: 'War das hilfreich?',
  up: 'Hilfreich',
  down: 'Nicht hilfreich',
  neutral: 'Neutral',
  thanks: 'Danke für Ihr Feedback!',
  more: 'Erzählen Sie uns mehr (optional)',
  send: 'Senden',
  skip: 'Überspringen',
  reasons: 'Falsch|Nicht relevant|Unklar|Unvollständig',
} satisfies Messages;
