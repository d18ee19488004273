/**
 * alert-subscribe: 接收提醒 — the admin agrees to hear about a tripped breaker or low
 * quota by WeChat message instead of finding out on this page. Each acceptance is one
 * message (WeChat's one-time subscription), so the count of messages left is shown and
 * the admin can tap again to add one. Without a configured template the feature says
 * it is off; a template the server could not use (47003: data does not fit) is shown
 * as a configuration problem for the developer.
 */
import { askToSubscribe, getAlertSubscription, recordAcceptance, type AlertSubscription } from '../../services/alerts';
import { errorText } from '../../services/errors';

/** WeChat's answers other than accept, in the admin's words. */
const CHOICES: Record<string, string> = {
  reject: '你选择了暂不接收，需要时可以再点一次',
  ban: '提醒已被关闭：请在小程序右上角「…」→ 设置 → 订阅消息中打开',
  filter: '该提醒模板被微信过滤，请联系开发者更换模板',
};

function problemText(problem: AlertSubscription['problem']): string {
  if (!problem) return '';
  if (problem.errcode === null) return '提醒无法发送：ALERT_TEMPLATE_FIELDS 配置有误，请开发者检查';
  if (problem.errcode === 47003) return '提醒发送失败：订阅消息模板与内容不匹配（47003），请开发者检查 ALERT_TEMPLATE_FIELDS';
  if (problem.errcode === 40037) return '提醒发送失败：模板 ID 无效（40037），请开发者检查 ALERT_TEMPLATE_ID';
  return `提醒发送失败（微信错误码 ${problem.errcode}），请开发者检查云函数配置`;
}

Component({
  data: {
    state: 'loading' as 'loading' | 'off' | 'ready' | 'error',
    templateId: '',
    credits: 0,
    problem: '',
    message: '',
    busy: false,
  },
  lifetimes: {
    attached() {
      void this.load();
    },
  },
  methods: {
    async load() {
      try {
        this.show(await getAlertSubscription());
      } catch (err) {
        this.setData({ state: 'error', message: `提醒设置加载失败：${errorText(err)}` });
      }
    },
    show(s: AlertSubscription) {
      this.setData({
        state: s.templateId ? 'ready' : 'off',
        templateId: s.templateId ?? '',
        credits: s.credits,
        problem: problemText(s.problem),
      });
    },
    /** The tap: WeChat's sheet opens now (not after an await), then the acceptance is recorded. */
    onSubscribe() {
      if (this.data.busy || !this.data.templateId) return;
      this.setData({ busy: true, message: '' });
      const templateId = this.data.templateId;
      void askToSubscribe(templateId)
        .then(async (choice) => {
          if ('failed' in choice) return this.setData({ message: '未能打开订阅提醒，请稍后再试' });
          if (!choice.accepted) return this.setData({ message: CHOICES[choice.choice] ?? '未订阅' });
          this.show(await recordAcceptance([templateId]));
          this.setData({ message: '已订阅：下次熔断或额度不足时会通过微信提醒你' });
        })
        .catch((err: unknown) => this.setData({ message: `订阅未记录：${errorText(err)}` }))
        .finally(() => this.setData({ busy: false }));
    },
  },
});
