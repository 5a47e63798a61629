// Messages through i18next; dates and numbers through Intl. Persian lays the whole shell out right
// to left (the <html dir> and Mantine's DirectionProvider follow the language).
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { admin } from './messages/admin';
import { board } from './messages/board';
import { conversation } from './messages/conversation';
import { live } from './messages/live';
import { palette } from './messages/palette';
import { queue } from './messages/queue';

/** One screen's messages in every language, kept beside the others in `messages/`. */
export type ScreenMessages = Record<'en' | 'fa' | 'zh-Hans' | 'zh-Hant', Record<string, string>>;
/** Every screen's own message file; English is the fallback for a key a language lacks. */
const SCREENS: ScreenMessages[] = [admin, board, conversation, live, palette, queue];

const en = {
  'app.name': 'ReaderDesk',
  'signin.title': 'Sign in to the desk',
  'signin.email': 'Email',
  'signin.password': 'Password',
  'signin.submit': 'Sign in',
  'signin.failed': 'Sign-in failed',
  'shell.signout': 'Sign out',
  'shell.language': 'Language',
  'shell.presence': 'Presence',
  'shell.live': 'Live',
  'shell.offline': 'Reconnecting…',
  'shell.loading': 'Loading…',
  'presence.available': 'Available',
  'presence.busy': 'Busy',
  'presence.away': 'Away',
  'presence.offline': 'Offline',
  'queue.title': 'Queue',
  'queue.view': 'View',
  'queue.view.mine': 'Mine',
  'queue.view.unassigned': 'Unassigned',
  'queue.view.all': 'All',
  'queue.empty': 'Nothing waiting here.',
  'queue.unassigned': 'Unassigned',
  'queue.dueIn': 'due {{when}}',
  'queue.overdue': 'overdue {{when}}',
  'conversation.pick': 'Choose a conversation from the queue (j / k to move, Enter to open).',
  'conversation.reply': 'Reply',
  'conversation.note': 'Internal note',
  'conversation.send': 'Send',
  'conversation.addNote': 'Add note',
  'conversation.resolve': 'Resolve',
  'conversation.sent': 'Sent',
  'conversation.noSubject': '(no subject)',
  'conversation.reader': 'Reader',
  'conversation.ils': 'No library system is connected.',
  'message.inbound': 'Reader',
  'message.outbound': 'Reply',
  'message.note': 'Note',
  'message.event': 'Event',
  'offer.title': 'Incoming conversation',
  'offer.accept': 'Accept',
  'offer.reject': 'Reject',
  'offer.left': '{{seconds}} s left',
  'offer.ended': 'The offer ended: {{reason}}',
  'error.generic': 'Something went wrong',
  'close.title': 'Resolve the conversation',
  'close.cancel': 'Cancel',
  'close.readLevel': 'READ level',
  'close.questionType': 'Question type',
  'close.read.1': '1 — answered without effort',
  'close.read.2': '2 — a quick look-up',
  'close.read.3': '3 — some searching',
  'close.read.4': '4 — several sources',
  'close.read.5': '5 — research',
  'close.read.6': '6 — in-depth research',
  'close.type.directional': 'Directional',
  'close.type.ready_reference': 'Ready reference',
  'close.type.research': 'Research',
  'close.type.technical': 'Technical',
  'close.type.circulation_account': 'Circulation / account',
  'close.type.policy': 'Policy',
};
type ShellMessages = typeof en;

const fa: ShellMessages = {
  'app.name': 'ReaderDesk',
  'signin.title': 'ورود به میز خدمات',
  'signin.email': 'ایمیل',
  'signin.password': 'گذرواژه',
  'signin.submit': 'ورود',
  'signin.failed': 'ورود ناموفق بود',
  'shell.signout': 'خروج',
  'shell.language': 'زبان',
  'shell.presence': 'وضعیت',
  'shell.live': 'زنده',
  'shell.offline': 'در حال اتصال دوباره…',
  'shell.loading': 'در حال بارگذاری…',
  'presence.available': 'در دسترس',
  'presence.busy': 'مشغول',
  'presence.away': 'دور از میز',
  'presence.offline': 'آفلاین',
  'queue.title': 'صف',
  'queue.view': 'نما',
  'queue.view.mine': 'مال من',
  'queue.view.unassigned': 'بدون مسئول',
  'queue.view.all': 'همه',
  'queue.empty': 'چیزی در انتظار نیست.',
  'queue.unassigned': 'بدون مسئول',
  'queue.dueIn': 'موعد {{when}}',
  'queue.overdue': 'گذشته از موعد {{when}}',
  'conversation.pick': 'یک گفت‌وگو را از صف انتخاب کنید (j / k برای حرکت، Enter برای باز کردن).',
  'conversation.reply': 'پاسخ',
  'conversation.note': 'یادداشت داخلی',
  'conversation.send': 'ارسال',
  'conversation.addNote': 'افزودن یادداشت',
  'conversation.resolve': 'حل شد',
  'conversation.sent': 'ارسال شد',
  'conversation.noSubject': '(بدون موضوع)',
  'conversation.reader': 'خواننده',
  'conversation.ils': 'هیچ سامانهٔ کتابخانه‌ای وصل نیست.',
  'message.inbound': 'خواننده',
  'message.outbound': 'پاسخ',
  'message.note': 'یادداشت',
  'message.event': 'رویداد',
  'offer.title': 'گفت‌وگوی ورودی',
  'offer.accept': 'پذیرفتن',
  'offer.reject': 'رد کردن',
  'offer.left': '{{seconds}} ثانیه مانده',
  'offer.ended': 'پیشنهاد پایان یافت: {{reason}}',
  'error.generic': 'مشکلی پیش آمد',
  'close.title': 'بستن گفت‌وگو',
  'close.cancel': 'انصراف',
  'close.readLevel': 'سطح READ',
  'close.questionType': 'نوع پرسش',
  'close.read.1': '۱ — بی‌زحمت پاسخ داده شد',
  'close.read.2': '۲ — جست‌وجوی کوتاه',
  'close.read.3': '۳ — کمی جست‌وجو',
  'close.read.4': '۴ — چند منبع',
  'close.read.5': '۵ — پژوهش',
  'close.read.6': '۶ — پژوهش ژرف',
  'close.type.directional': 'راهنمایی مکان',
  'close.type.ready_reference': 'مرجع سریع',
  'close.type.research': 'پژوهشی',
  'close.type.technical': 'فنی',
  'close.type.circulation_account': 'امانت / حساب',
  'close.type.policy': 'مقررات',
};

const zhHans: ShellMessages = {
  ...en,
  'signin.title': '登录服务台',
  'signin.email': '电子邮件',
  'signin.password': '密码',
  'signin.submit': '登录',
  'signin.failed': '登录失败',
  'shell.signout': '退出',
  'shell.language': '语言',
  'shell.presence': '状态',
  'shell.live': '实时',
  'shell.offline': '正在重新连接…',
  'shell.loading': '正在加载…',
  'presence.available': '空闲',
  'presence.busy': '忙碌',
  'presence.away': '离开',
  'presence.offline': '离线',
  'queue.title': '队列',
  'queue.view': '视图',
  'queue.view.mine': '我的',
  'queue.view.unassigned': '未分配',
  'queue.view.all': '全部',
  'queue.empty': '这里没有等待的对话。',
  'queue.unassigned': '未分配',
  'conversation.pick': '从队列中选择一个对话（j / k 移动，Enter 打开）。',
  'conversation.reply': '回复',
  'conversation.note': '内部备注',
  'conversation.send': '发送',
  'conversation.addNote': '添加备注',
  'conversation.resolve': '解决',
  'conversation.reader': '读者',
  'conversation.ils': '尚未连接图书馆系统。',
  'offer.title': '新的对话',
  'offer.accept': '接受',
  'offer.reject': '拒绝',
  'close.title': '解决对话',
  'close.cancel': '取消',
  'close.readLevel': 'READ 等级',
  'close.questionType': '问题类型',
};

const zhHant: ShellMessages = {
  ...zhHans,
  'signin.title': '登入服務台',
  'signin.email': '電子郵件',
  'signin.password': '密碼',
  'signin.submit': '登入',
  'signin.failed': '登入失敗',
  'shell.signout': '登出',
  'shell.language': '語言',
  'shell.presence': '狀態',
  'shell.live': '即時',
  'shell.offline': '正在重新連線…',
  'shell.loading': '正在載入…',
  'presence.available': '空閒',
  'presence.busy': '忙碌',
  'presence.away': '離開',
  'presence.offline': '離線',
  'queue.title': '佇列',
  'queue.view': '檢視',
  'queue.view.unassigned': '未指派',
  'queue.view.all': '全部',
  'queue.empty': '這裡沒有等待的對話。',
  'queue.unassigned': '未指派',
  'conversation.pick': '從佇列中選擇一個對話（j / k 移動，Enter 開啟）。',
  'conversation.reply': '回覆',
  'conversation.note': '內部備註',
  'conversation.send': '傳送',
  'conversation.addNote': '新增備註',
  'conversation.resolve': '解決',
  'conversation.reader': '讀者',
  'conversation.ils': '尚未連線圖書館系統。',
  'offer.title': '新的對話',
  'offer.accept': '接受',
  'offer.reject': '拒絕',
  'close.title': '解決對話',
  'close.readLevel': 'READ 等級',
  'close.questionType': '問題類型',
};

export const LANGUAGES = [
  { value: 'en', label: 'English' },
  { value: 'zh-Hans', label: '简体中文' },
  { value: 'zh-Hant', label: '繁體中文' },
  { value: 'fa', label: 'فارسی' },
] as const;

export const isRtl = (language: string): boolean => language === 'fa';

const stored = localStorage.getItem('rd.language');
const initial = LANGUAGES.some((l) => l.value === stored) ? stored! : navigator.language.startsWith('fa') ? 'fa' : 'en';

function withScreens(shell: Record<string, string>, language: keyof ScreenMessages): Record<string, string> {
  return SCREENS.reduce<Record<string, string>>((all, screen) => ({ ...all, ...screen[language] }), { ...shell });
}

void i18next.use(initReactI18next).init({
  resources: {
    en: { translation: withScreens(en, 'en') },
    fa: { translation: withScreens(fa, 'fa') },
    'zh-Hans': { translation: withScreens(zhHans, 'zh-Hans') },
    'zh-Hant': { translation: withScreens(zhHant, 'zh-Hant') },
  },
  lng: initial,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

export function applyLanguage(language: string): void {
  localStorage.setItem('rd.language', language);
  document.documentElement.lang = language;
  document.documentElement.dir = isRtl(language) ? 'rtl' : 'ltr';
  void i18next.changeLanguage(language);
}
applyLanguage(initial);

export default i18next;
