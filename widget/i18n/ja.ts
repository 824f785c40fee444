import type { Messages } from './types';

export default {
  prompt: '役に立ちましたか？',
  up: '役に立った',
  down: '役に立たなかった',
  neutral: 'どちらでもない',
  thanks: 'ご意見ありがとうございます！',
  more: '詳しく教えてください（任意）',
  send: '送信',
  skip: 'スキップ',
  reasons: '不正確|関係がない|わかりにくい|情報が足りない',
} satisfies Messages;
