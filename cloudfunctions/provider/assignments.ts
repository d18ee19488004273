/**
 * `provider.assignments.list { receiverAppId?, limit? }`: assignments newest first.
 * Before answering it asks WeChat about a few still pending or cancelling that no
 * event settled within PROVIDER_POLL_AFTER_SECONDS (a push may be lost), at most
 * POLL_LIMIT per call so the list stays fast; the rest are taken on the next calls,
 * least recently checked first. After PROVIDER_POLL_MAX_ATTEMPTS checks without a
 * final word an assignment is marked unknown.
 */
import * as v from 'valibot';
import { pageLimit } from '../_shared/domain/amount-schemas';
import { now } from '../_shared/runtime/clock';
import { providerPollAfterSeconds, providerPollMaxAttempts } from '../_shared/runtime/config';
import { AppError } from '../_shared/runtime/errors';
import { errorDetail } from '../_shared/runtime/log';
import { route } from '../_shared/runtime/router';
import { listAssignments, listUnsettled } from '../_shared/data/provider-assignments';
import { assignmentView } from './assignment-view';
import { appid } from './inputs';
import { pollAssignments } from './settle';

const POLL_LIMIT = 10;

const listInput = v.object({
  receiverAppId: v.optional(appid('receiverAppId')),
  limit: pageLimit(500, 100),
});

export const listAssignmentsRoute = route(listInput, async ({ receiverAppId, limit }, { log }) => {
  const at = now();
  const filter = receiverAppId ? { receiverAppId } : {};
  const unsettled = await listUnsettled(filter, POLL_LIMIT, new Date(at.getTime() - providerPollAfterSeconds() * 1000));
  let pollError: string | null = null;
  if (unsettled.length > 0) {
    try {
      await pollAssignments(unsettled, at, providerPollMaxAttempts());
    } catch (err) {
      // The list is still worth answering; the next call polls again. Only our own errors' words reach the admin.
      pollError = err instanceof AppError ? err.message : 'Could not check pending assignments with WeChat; the next call tries again.';
      log.warn({
        pollError,
        ...(err instanceof AppError ? {} : { ...errorDetail(err) }),
      });
    }
  }
  const docs = await listAssignments(filter, limit);
  return { assignments: docs.map(assignmentView), pollError };
});
