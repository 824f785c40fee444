import type { Texts } from './types';

// prompt, up, down, neutral, thanks, queued, failed, more, send, skip, reasons: see Texts.
export default [
  '役に立ちましたか？',
  '役に立った',
  '役に立たなかった',
  'どちらでもない',
  'ご意見ありがとうございます！',
  '保存しました。できるだけ早く送信します。',
  'ご意見を送信できませんでした。',
  '詳しく教えてください（任意）',
  '送信',
  'スキップ',
  '不正確|関係がない|わかりにくい|情報が足りない',
] satisfies Texts;
