import type { Texts } from './types';

// prompt, up, down, neutral, thanks, queued, failed, more, send, skip, reasons: see Texts.
export default [
  'Cela vous a-t-il aidé\u00a0?',
  'Utile',
  'Pas utile',
  'Neutre',
  'Merci pour votre avis\u00a0!',
  'Enregistré. Il sera envoyé dès que possible.',
  'Désolé, votre avis n’a pas pu être envoyé.',
  'Dites-nous en plus (facultatif)',
  'Envoyer',
  'Passer',
  'Incorrect|Hors sujet|Pas clair|Incomplet',
] satisfies Texts;
