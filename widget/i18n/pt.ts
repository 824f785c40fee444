import type { Messages } from './types';

export default {
  prompt: 'Isto foi útil?',
  up: 'Útil',
  down: 'Não foi útil',
  neutral: 'Neutro',
  thanks: 'Obrigado pelo seu feedback!',
  more: 'Conte-nos mais (opcional)',
  send: 'Enviar',
  skip: 'Pular',
  reasons: 'Incorreto|Irrelevante|Confuso|Incompleto',
} satisfies Messages;
