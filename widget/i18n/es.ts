import type { Messages } from './types';

export default {
  prompt: '¿Te resultó útil?',
  up: 'Útil',
  down: 'No útil',
  neutral: 'Neutral',
  thanks: '¡Gracias por tu opinión!',
  more: 'Cuéntanos más (opcional)',
  send: 'Enviar',
  skip: 'Omitir',
  reasons: 'Incorrecto|No relevante|Poco claro|Incompleto',
} satisfies Messages;
