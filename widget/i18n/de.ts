import type { Texts } from './types';

// prompt, up, down, neutral, thanks, more, send, skip, reasons: see Texts.
export default [
  'War das hilfreich?',
  'Hilfreich',
  'Nicht hilfreich',
  'Neutral',
  'Danke für Ihr Feedback!',
  'Erzählen Sie uns mehr (optional)',
  'Senden',
  'Überspringen',
  'Falsch|Nicht relevant|Unklar|Unvollständig',
] satisfies Texts;
