import type { Messages } from './types';

export default {
  prompt: 'Cela vous a-t-il aidé\u00a0?',
  up: 'Utile',
  down: 'Pas utile',
  neutral: 'Neutre',
  thanks: 'Merci pour votre avis\u00a0!',
  more: 'Dites-nous en plus (facultatif)',
  send: 'Envoyer',
  skip: 'Passer',
  reasons: 'Incorrect|Hors sujet|Pas clair|Incomplet',
} satisfies Messages;
