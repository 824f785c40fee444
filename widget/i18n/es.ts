import type { Texts } from './types';

// prompt, up, down, neutral, thanks, queued, failed, more, send, skip, reasons: see Texts.
export default [
  '¿Te resultó útil?',
  'Útil',
  'No útil',
  'Neutral',
  '¡Gracias por tu opinión!',
  'Guardado. Se enviará lo antes posible.',
  'Lo sentimos, no se pudo enviar tu opinión.',
  'Cuéntanos más (opcional)',
  'Enviar',
  'Omitir',
  'Incorrecto|No relevante|Poco claro|Incompleto',
] satisfies Texts;
