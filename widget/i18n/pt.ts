import type { Texts } from './types';

// prompt, up, down, neutral, thanks, queued, failed, more, send, skip, reasons: see Texts.
export default [
  'Isto foi útil?',
  'Útil',
  'Não foi útil',
  'Neutro',
  'Obrigado pelo seu feedback!',
  'Salvo. Será enviado assim que possível.',
  'Desculpe, não foi possível enviar seu feedback.',
  'Conte-nos mais (opcional)',
  'Enviar',
  'Pular',
  'Incorreto|Irrelevante|Confuso|Incompleto',
] satisfies Texts;
