/**
 * 成为管理员: where an invite card opens (`?code=…`), or where a code received another
 * way is typed. Accepting calls `auth.acceptAdminInvite` — the caller is not an admin
 * yet — then refreshes the session so the admin entry appears.
 */
import { acceptAdminInvite, ADMIN_ENTRY } from '../../services/admin';
import { errorText } from '../../services/errors';
import { refreshSession } from '../../services/session';

const WORDS = {
  badCode: '邀请码是 10 位字母或数字，请检查',
  unknown: '邀请码不存在，请向管理员要一个新的',
  usedOrExpired: '这个邀请已被使用或已过期，请向管理员要一个新的',
  done: '你已成为管理员',
} as const;

Page({
  data: { code: '', busy: false, done: false, message: '', adminUrl: ADMIN_ENTRY.url, adminLabel: ADMIN_ENTRY.label },
  onLoad(query: Record<string, string | undefined>) {
    this.setData({ code: (query.code ?? '').trim().toUpperCase() });
  },
  onCode(e: { detail: { value: string } }) {
    this.setData({ code: e.detail.value.trim().toUpperCase(), message: '' });
  },
  onAccept() {
    if (this.data.busy) return;
    if (!/^[A-Z0-9]{10}$/.test(this.data.code)) {
      this.setData({ message: WORDS.badCode });
      return;
    }
    this.setData({ busy: true, message: '' });
    acceptAdminInvite(this.data.code).then(
      () => {
        this.setData({ busy: false, done: true, message: WORDS.done });
        refreshSession().catch(() => undefined);
      },
      (err: unknown) =>
        this.setData({
          busy: false,
          message: errorText(err, { NOT_FOUND: WORDS.unknown, CONFLICT: WORDS.usedOrExpired, INVALID_ARGUMENT: WORDS.badCode }),
        }),
    );
  },
});
