import type { Texts } from './types';

// prompt, up, down, neutral, thanks, more, send, skip, reasons: see Texts.
export default [
  'هل كان هذا مفيدًا؟',
  'مفيد',
  'غير مفيد',
  'محايد',
  'شكرًا على ملاحظاتك!',
  'أخبرنا بالمزيد (اختياري)',
  'إرسال',
  'تخطٍّ',
  'غير صحيح|غير ذي صلة|غير واضح|غير مكتمل',
] satisfies Texts;
