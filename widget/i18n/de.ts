import type { Texts } from './types';

// prompt, up, down, neutral, thanks, queued, failed, more, send, skip, reasons: see Texts.
export default [
  'War das hilfreich?',
  'Hilfreich',
  'Nicht hilfreich',
  'Neutral',
  'Danke für Ihr Feedback!',
  'Gespeichert. Wird so bald wie möglich gesendet.',
  'Ihr Feedback konnte leider nicht gesendet werden.',
  'Erzählen Sie uns mehr (optional)',
  'Senden',
  'Überspringen',
  'Falsch|Nicht relevant|Unklar|Unvollständig',
] satisfies Texts;
