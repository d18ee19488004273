import { NETWORK, TIMEOUT, WechatError } from './http';
import { cloudCallFailure, httpsCallFailure, NO_PERMISSION_ERRCODE } from './failure';

test.each([
  [{ errCode: 40029 }, { kind: 'answered', errcode: 40029 }],
  [{ errCode: -1 }, { kind: 'answered', errcode: -1 }],
  [{ errCode: NO_PERMISSION_ERRCODE }, { kind: 'not-sent', errcode: NO_PERMISSION_ERRCODE }],
  [{ errCode: -501001 }, { kind: 'unanswered', errcode: -501001 }],
  [{ errCode: TIMEOUT }, { kind: 'unanswered', errcode: TIMEOUT }],
  [new Error('socket hang up'), { kind: 'unanswered', errcode: TIMEOUT }],
  [null, { kind: 'unanswered', errcode: TIMEOUT }],
])('a cloud call failing with %j is %j', (err, failure) => {
  expect(cloudCallFailure(err)).toEqual(failure);
});

const PATH = '/wxa/business/getuserphonenumber';
test.each([
  [new WechatError(PATH, 40029, 'invalid code'), { kind: 'answered', errcode: 40029 }],
  [new WechatError(PATH, TIMEOUT, 'no answer in time'), { kind: 'unanswered', errcode: TIMEOUT }],
  [new WechatError(PATH, NETWORK, 'could not connect'), { kind: 'unanswered', errcode: NETWORK }],
  // The token call failed (even without an answer): the request itself was never sent.
  [new WechatError('/cgi-bin/stable_token', TIMEOUT, 'no answer in time'), { kind: 'not-sent', errcode: TIMEOUT }],
  [new WechatError('/cgi-bin/stable_token', 40125, 'invalid appsecret'), { kind: 'not-sent', errcode: 40125 }],
  [new TypeError('fetch failed'), { kind: 'unanswered', errcode: TIMEOUT }],
])('an HTTPS call failing with %s is %j', (err, failure) => {
  expect(httpsCallFailure(err, PATH)).toEqual(failure);
});
