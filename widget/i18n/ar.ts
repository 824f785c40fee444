import type { Messages } from './types';

export default {
  prompt: 'هل كان هذا مفيدًا؟',
  up: 'مفيد',
  down: 'غير مفيد',
  neutral: 'محايد',
  thanks: 'شكرًا على ملاحظاتك!',
  more: 'أخبرنا بالمزيد (اختياري)',
  send: 'إرسال',
  skip: 'تخطٍّ',
  reasons: 'غير صحيح|غير ذي صلة|غير واضح|غير مكتمل',
} satisfies Messages;
