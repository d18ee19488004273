/**
 * 管理员: who may use the admin pages. Add one by sharing an invite (a WeChat card
 * opening 成为管理员 with a one-time code, 24 h) — nobody types an openid. Remove one;
 * the server keeps the last admin (CONFLICT) and those set at deploy (ADMIN_OPENIDS).
 */
import { errorText } from '../../services/errors';
import { chinaTimeText, inviteAdmin, JOIN_PAGE, listAdmins, removeAdmin, shortOpenid, type AdminEntry } from '../../services/admin';
import { loadSession } from '../../services/session';

interface Row {
  openid: string;
  name: string;
  detail: string;
  removable: boolean;
}

const WORDS = {
  loadFailed: '管理员列表加载失败，请重试',
  lastAdmin: '至少要保留一位管理员；部署时设置的管理员请在部署配置中移除',
  removed: '已移除',
} as const;

function rows(admins: AdminEntry[], me: string): Row[] {
  return admins.map((a) => ({
    openid: a.openid,
    name: a.openid === me ? '你' : `管理员 ${shortOpenid(a.openid)}`,
    detail: a.source === 'env' ? '部署时设置' : `${chinaTimeText(a.addedAt)} 加入`,
    removable: a.source === 'collection',
  }));
}

Page({
  data: {
    state: 'loading' as 'loading' | 'ready' | 'error',
    admins: [] as Row[],
    me: '',
    busy: false,
    message: '',
    invite: null as { code: string; expiresText: string } | null,
  },
  onLoad() {
    // Who "你" is first, then the list (the session is normally loaded already: no round trip).
    void loadSession()
      .then(
        (s) => this.setData({ me: s.openid }),
        () => undefined,
      )
      .then(() => this.load());
  },
  load(message = '') {
    return listAdmins().then(
      ({ admins }) => this.setData({ state: 'ready', admins: rows(admins, this.data.me), message }),
      (err: unknown) =>
        this.setData({ state: this.data.state === 'ready' ? 'ready' : 'error', message: errorText(err, { INTERNAL: WORDS.loadFailed }) }),
    );
  },
  onInvite() {
    if (this.data.busy) return;
    this.setData({ busy: true, message: '' });
    inviteAdmin().then(
      ({ code, expiresAt }) => this.setData({ busy: false, invite: { code, expiresText: chinaTimeText(expiresAt) } }),
      (err: unknown) => this.setData({ busy: false, message: errorText(err) }),
    );
  },
  onRemove(e: { currentTarget: { dataset: { openid: string } } }) {
    if (this.data.busy) return;
    const { openid } = e.currentTarget.dataset;
    this.setData({ busy: true, message: '' });
    removeAdmin(openid).then(
      ({ admins }) => this.setData({ busy: false, admins: rows(admins, this.data.me), message: WORDS.removed }),
      (err: unknown) => {
        this.setData({ busy: false });
        void this.load(errorText(err, { CONFLICT: WORDS.lastAdmin }));
      },
    );
  },
  /** The invite travels as a WeChat card (the share button), opening 成为管理员 with its code. */
  onShareAppMessage() {
    const code = this.data.invite?.code ?? '';
    return { title: '邀请你成为管理员', path: `${JOIN_PAGE}?code=${code}` };
  },
});
