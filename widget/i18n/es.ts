import type { Texts } from './types';

// prompt, up, down, neutral, thanks, more, send, skip, reasons: see Texts.
export default [
  '¿Te resultó útil?',
  'Útil',
  'No útil',
  'Neutral',
  '¡Gracias por tu opinión!',
  'Cuéntanos más (opcional)',
  'Enviar',
  'Omitir',
  'Incorrecto|No relevante|Poco claro|Incompleto',
] satisfies Texts;
