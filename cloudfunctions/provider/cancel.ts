/**
 * `provider.cancel { assignmentId }`: asks WeChat to take an assignment back. WeChat
 * allows it within 7 days and only while the pack is unused; it answers at once and
 * reports the result later (event 6), so the assignment is `cancelling` until WeChat
 * confirms `cancelled`.
 */
import * as v from 'valibot';
import { AppError } from '../_shared/errors';
import { now } from '../_shared/clock';
import { route } from '../_shared/router';
import { findAssignment, moveAssignment, type AssignmentDoc } from '../_shared/data/provider-assignments';
import { cancelAssignment } from '../_shared/wechat/service-provider';
import { assignmentView } from './assignment-view';
import { askWechat } from './wechat-errors';
import { confirmWithWechat } from './settle';

const cancelInput = v.object({
  assignmentId: v.pipe(v.string('assignmentId must be a string'), v.trim(), v.regex(/^[0-9a-f]{24}$/, 'assignmentId must be an id that assign answered')),
});

async function reload(id: string, fallback: AssignmentDoc): Promise<AssignmentDoc> {
  return (await findAssignment(id)) ?? fallback;
}

export const cancel = route(cancelInput, async ({ assignmentId }) => {
  const at = now();
  let doc = await findAssignment(assignmentId);
  if (!doc) throw new AppError('NOT_FOUND', 'No such assignment.');
  if (doc.status === 'pending' || doc.status === 'cancelling') {
    await askWechat('read', () => confirmWithWechat([doc!], at, 'cancel: confirm first'));
    doc = await reload(assignmentId, doc);
  }
  switch (doc.status) {
    case 'cancelled':
    case 'cancelling':
      return assignmentView(doc);
    case 'failed':
      throw new AppError('CONFLICT', 'This assignment failed, so nothing was assigned and there is nothing to cancel.');
    case 'pending':
      throw new AppError('CONFLICT', 'This assignment is still in progress at WeChat; cancel it once it is done.');
    case 'done':
      break;
  }
  const answer = await askWechat('cancel', () => cancelAssignment(doc!.orderId, doc!.requestId));
  if (answer === 'accepted') await moveAssignment(doc._id, 'done', 'cancelling', { at, via: 'cancel_assign accepted' });
  else await askWechat('read', () => confirmWithWechat([doc!], at, 'cancel: WeChat says already cancelled'));
  return assignmentView(await reload(assignmentId, doc));
});
