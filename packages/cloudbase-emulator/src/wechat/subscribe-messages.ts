/**
 * WeChat's one-time subscribe messages (订阅消息) as the emulator plays them. A user's
 * acceptance in `wx.requestSubscribeMessage` gives one credit for that template
 * (`accept`, played through `POST /v1/wechat/subscriptions`); `subscribeMessage.send`
 * (cloud call, or `POST /cgi-bin/message/subscribe/send` over HTTPS: same body) spends
 * one and records the message (`GET /v1/wechat/subscribe-messages`).
 *
 * Answers, as WeChat's sendMessage doc and community threads show them: 40003 no
 * touser; 40037 no template id; 47003 data that does not fit its keywords' types
 * (thing ≤ 20 characters, phrase ≤ 5 Chinese characters, number digits, time/date a
 * date, phone_number ≤ 17 digits and symbols, car_number ≤ 8 with a Chinese character
 * only first or last, …) — checked before any credit is spent; 43101 no credit left ("user refuse to
 * accept the msg"). Assumed: every template id exists and its keywords are whatever the
 * data names (the emulator holds no template list).
 */
import type { WechatAnswer } from './http-apis';

interface SentMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  /** ISO time on the emulator clock. */
  at: string;
}

export interface SubscribeSnapshot {
  credits: Record<string, number>;
  messages: SentMessage[];
}

/** What each keyword type takes (WeChat's 模板参数值内容限制 table). */
const FITS: Record<string, (value: string) => boolean> = {
  thing: (v) => Array.from(v).length <= 20,
  number: (v) => /^[+-]?\d+(\.\d+)?$/.test(v) && v.replace(/\D/g, '').length <= 32,
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => Array.from(v).length <= 5 && !/[\p{L}\p{N}\p{Cc}]/u.test(v),
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  time: (v) => /\d{1,2}:\d{2}/.test(v) && v.length <= 40,
  date: (v) => /\d{4}[年\-/.]\d{1,2}/.test(v) && v.length <= 40,
  amount: (v) => /^\D?\d{1,10}(\.\d+)?元?$/.test(v),
  phrase: (v) => /^[\u4e00-\u9fff]{1,5}$/.test(v),
  name: (v) => (/^[\u4e00-\u9fff]+$/.test(v) ? Array.from(v).length <= 10 : v.length <= 20),
  // "17位以内，数字、符号", e.g. +86-0766-66888866 (a masked 138****8000 fits too).
  phone_number: (v) => v.length <= 17 && /^[^\p{L}\s]+$/u.test(v) && /\d/.test(v),
  // "8位以内，第一位与最后一位可为汉字，其余为字母或数字", e.g. 粤A8Z888挂.
  car_number: (v) => Array.from(v).length <= 8 && /^[\u4e00-\u9fffA-Za-z0-9][A-Za-z0-9]*[\u4e00-\u9fffA-Za-z0-9]?$/.test(v),
};

const KEYWORD = /^([a-z_]+?)\d+$/;

/** The first keyword whose value does not fit, or null. */
function misfit(data: unknown): string | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || Object.keys(data).length === 0) return 'data';
  for (const [keyword, entry] of Object.entries(data as Record<string, unknown>)) {
    const type = KEYWORD.exec(keyword)?.[1];
    const value = (entry as { value?: unknown } | null)?.value;
    if (!type || !FITS[type] || typeof value !== 'string' || value === '' || !FITS[type](value)) return `data.${keyword}.value`;
  }
  return null;
}

export class SubscribeMessages {
  private credits = new Map<string, number>();
  private sent: SentMessage[] = [];

  constructor(
    private readonly clock: () => number,
    /** Something that is saved changed. */
    private readonly changed: () => void,
  ) {}

  private static key(openid: string, templateId: string): string {
    return `${openid}|${templateId}`;
  }

  /** A user accepted these templates in wx.requestSubscribeMessage: one credit each. */
  accept(openid: string, templateIds: string[]): Record<string, 'accept'> {
    this.changed();
    const answer: Record<string, 'accept'> = {};
    for (const id of new Set(templateIds)) {
      const key = SubscribeMessages.key(openid, id);
      this.credits.set(key, (this.credits.get(key) ?? 0) + 1);
      answer[id] = 'accept';
    }
    return answer;
  }

  /** `subscribeMessage.send` with WeChat's (snake_case) body. */
  send(body: Record<string, unknown>): WechatAnswer {
    const { touser, template_id: templateId, page, data } = body;
    if (typeof touser !== 'string' || touser === '') return { errcode: 40003, errmsg: 'invalid openid' };
    if (typeof templateId !== 'string' || templateId === '') return { errcode: 40037, errmsg: 'invalid template_id' };
    const bad = misfit(data);
    if (bad) return { errcode: 47003, errmsg: `argument invalid! ${bad} invalid` };
    const key = SubscribeMessages.key(touser, templateId);
    const left = this.credits.get(key) ?? 0;
    if (left < 1) return { errcode: 43101, errmsg: 'user refuse to accept the msg' };
    this.credits.set(key, left - 1);
    this.changed();
    this.sent.push({
      touser,
      templateId,
      page: typeof page === 'string' ? page : null,
      data: data as SentMessage['data'],
      at: new Date(this.clock()).toISOString(),
    });
    return { errcode: 0, errmsg: 'ok' };
  }

  messages(): SentMessage[] {
    return this.sent.map((m) => ({ ...m }));
  }

  /** Credits a user holds for a template. */
  creditsOf(openid: string, templateId: string): number {
    return this.credits.get(SubscribeMessages.key(openid, templateId)) ?? 0;
  }

  snapshot(): SubscribeSnapshot {
    return { credits: Object.fromEntries(this.credits), messages: this.messages() };
  }

  load(snapshot: SubscribeSnapshot): void {
    this.credits = new Map(Object.entries(snapshot.credits));
    this.sent = [...snapshot.messages];
  }

  clear(): void {
    this.credits.clear();
    this.sent = [];
  }
}
