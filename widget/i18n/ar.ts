import type { Texts } from './types';

// prompt, up, down, neutral, thanks, queued, failed, more, send, skip, reasons: see Texts.
export default [
  'هل كان هذا مفيدًا؟',
  'مفيد',
  'غير مفيد',
  'محايد',
  'شكرًا على ملاحظاتك!',
  'تم الحفظ. سيتم الإرسال في أقرب وقت ممكن.',
  'عذرًا، تعذّر إرسال ملاحظاتك.',
  'أخبرنا بالمزيد (اختياري)',
  'إرسال',
  'تخطٍّ',
  'غير صحيح|غير ذي صلة|غير واضح|غير مكتمل',
] satisfies Texts;
