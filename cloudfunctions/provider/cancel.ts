/**
 * `provider.cancel { assignmentId }`: asks WeChat to take an assignment back. WeChat
 * allows it within 7 days and only while the pack is unused; it answers at once and
 * pushes the result later (event 6), so the assignment is `cancelling` until WeChat's
 * word (the event, or polling) makes it `cancelled` — or `done` again if WeChat refused.
 *
 * Concurrent cancels of one assignment send one `cancel_assign`: the first claims it
 * (done or unknown → cancelling); the others answer the assignment as it then is.
 */
import * as v from 'valibot';
import { AppError } from '../_shared/runtime/errors';
import { now } from '../_shared/runtime/clock';
import { providerPollMaxAttempts } from '../_shared/runtime/config';
import { route } from '../_shared/runtime/router';
import { findAssignment, type AssignmentDoc } from '../_shared/data/provider-assignments';
import { assignmentView } from './assignment-view';
import { pollAssignments, sendCancel } from './settle';

/** The input of routes that name one assignment. */
export const oneAssignment = v.object({
  assignmentId: v.pipe(
    v.string('assignmentId must be a string'),
    v.trim(),
    v.regex(/^[0-9a-f]{24}$/, 'assignmentId must be an id that assign answered'),
  ),
});

async function reload(id: string, fallback: AssignmentDoc): Promise<AssignmentDoc> {
  return (await findAssignment(id)) ?? fallback;
}

function answerFor(doc: AssignmentDoc) {
  switch (doc.status) {
    case 'cancelled':
    case 'cancelling':
      return assignmentView(doc);
    case 'failed':
      throw new AppError('CONFLICT', 'This assignment failed, so nothing was assigned and there is nothing to cancel.');
    case 'pending':
      throw new AppError('CONFLICT', 'This assignment is still in progress at WeChat; cancel it once it is done.');
    case 'unknown':
    case 'done':
      // An unknown one is sent too: WeChat accepting the cancel shows it was assigned; its refusal leaves it unknown.
      return null;
  }
}

export const cancel = route(oneAssignment, async ({ assignmentId }) => {
  const at = now();
  let doc = await findAssignment(assignmentId);
  if (!doc) throw new AppError('NOT_FOUND', 'No such assignment.');
  if (doc.status === 'pending') {
    // Its event may be lost: ask WeChat once (the same requestId again) before refusing.
    await pollAssignments([doc], at, providerPollMaxAttempts());
    doc = await reload(assignmentId, doc);
  }
  const settled = answerFor(doc);
  if (settled) return settled;
  const { error, claimed } = await sendCancel(doc, at);
  if (error) throw error;
  const after = await reload(assignmentId, doc);
  if (!claimed) {
    // Another cancel claimed it first (or it moved on): answer it as it is now.
    const now2 = answerFor(after);
    if (now2) return now2;
    throw new AppError('CONFLICT', 'WeChat did not allow cancelling this assignment; it stays assigned.');
  }
  return assignmentView(after);
});
