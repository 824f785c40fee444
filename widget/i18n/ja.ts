import type { Texts } from './types';

// prompt, up, down, neutral, thanks, more, send, skip, reasons: see Texts.
export default [
  '役に立ちましたか？',
  '役に立った',
  '役に立たなかった',
  'どちらでもない',
  'ご意見ありがとうございます！',
  '詳しく教えてください（任意）',
  '送信',
  'スキップ',
  '不正確|関係がない|わかりにくい|情報が足りない',
] satisfies Texts;
