/**
 * Sending a one-time subscribe message (`subscribeMessage.send`), as the phone exchange
 * does it: by cloud call first; when the platform refuses the cloud call (-604101: the
 * function was deployed by the CLI, so config.json's permissions were never
 * registered) and WECHAT_APPID/WECHAT_APPSECRET are set, over HTTPS
 * (`POST /cgi-bin/message/subscribe/send`, the shared stable token). The SDK turns
 * `templateId` into `template_id`, so both paths send WeChat the same body.
 *
 * A send is not repeated here: a message that timed out may have been delivered, and an
 * alert must never reach an admin twice. `answered` says whether WeChat's verdict is known.
 */
import { cloud } from '../runtime/cloud';
import { wechatCredentials } from '../runtime/config';
import { grantSource, withToken } from './access-token';
import { callWechat, TIMEOUT } from './http';
import { cloudCallFailure, httpsCallFailure, NO_PERMISSION_ERRCODE } from './failure';

const HTTPS_SUBSCRIBE_PATH = '/cgi-bin/message/subscribe/send';
/** The user holds no subscription for this template (never accepted, or already used). */
export const NO_SUBSCRIPTION = 43101;
/** The template's data does not fit it (a keyword missing, a value past its limit). */
export const TEMPLATE_DATA_INVALID = 47003;
/** The template id is not one of this mini program's. */
export const TEMPLATE_ID_INVALID = 40037;

/** Short: a trip is announced from inside a user's login (auth's timeout is 10 s). */
const SEND_TIMEOUT_MS = 3000;

interface SubscribeMessage {
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
}

export type SendOutcome = { ok: true } | { ok: false; errcode: number; answered: boolean };

/** Set when this container's cloud call was refused: the permission does not appear in a running container. */
let cloudCallDenied = false;

async function cloudSend(message: SubscribeMessage): Promise<SendOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject({ errCode: TIMEOUT }), SEND_TIMEOUT_MS);
  });
  try {
    await Promise.race([cloud.openapi.subscribeMessage.send({ ...message, lang: 'zh_CN' }), timeout]);
    return { ok: true };
  } catch (err) {
    // Unanswered: the message may have arrived (recorded as a timeout); refused (-604101) or answered: the verdict is known.
    const failure = cloudCallFailure(err);
    if (failure.kind === 'unanswered') return { ok: false, errcode: TIMEOUT, answered: false };
    return { ok: false, errcode: failure.errcode, answered: true };
  } finally {
    clearTimeout(timer);
  }
}

async function httpsSend(message: SubscribeMessage, appid: string, secret: string): Promise<SendOutcome> {
  try {
    await withToken(grantSource(appid, secret, undefined, SEND_TIMEOUT_MS), (token) =>
      callWechat({
        path: HTTPS_SUBSCRIBE_PATH,
        query: { access_token: token },
        body: { touser: message.touser, template_id: message.templateId, page: message.page, data: message.data, lang: 'zh_CN' },
        timeoutMs: SEND_TIMEOUT_MS,
      }),
    );
    return { ok: true };
  } catch (err) {
    // The message itself went unanswered: it may have arrived. A token failure sent nothing.
    const failure = httpsCallFailure(err, HTTPS_SUBSCRIBE_PATH);
    return { ok: false, errcode: failure.errcode, answered: failure.kind !== 'unanswered' };
  }
}

export async function sendSubscribeMessage(message: SubscribeMessage): Promise<SendOutcome> {
  if (!cloudCallDenied) {
    const outcome = await cloudSend(message);
    if (outcome.ok || outcome.errcode !== NO_PERMISSION_ERRCODE) return outcome;
    cloudCallDenied = true;
  }
  const credentials = wechatCredentials();
  if (!credentials.ok) return { ok: false, errcode: NO_PERMISSION_ERRCODE, answered: true };
  return httpsSend(message, credentials.appid, credentials.secret);
}
