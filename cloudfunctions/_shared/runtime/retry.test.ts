import { retry } from './retry';

const busyThen = (answers: number[]) => {
  let n = 0;
  return jest.fn(async () => answers[n++]!);
};

test('an answer not worth retrying is returned after one attempt', async () => {
  const attempt = busyThen([0]);
  expect(await retry(attempt, { attempts: 2, pauseMs: 0, retryAnswer: (e) => e === -1 })).toEqual({ answer: 0, attempts: 1, earlier: [] });
  expect(attempt).toHaveBeenCalledTimes(1);
});

test('a transient answer is retried until the attempts run out, the earlier answers kept', async () => {
  const attempt = busyThen([-1, -1, -1, 0]);
  expect(await retry(attempt, { attempts: 3, pauseMs: 0, retryAnswer: (e) => e === -1 })).toEqual({
    answer: -1,
    attempts: 3,
    earlier: [-1, -1],
  });
});

test("a transient error is retried; the last attempt's error is thrown", async () => {
  const busy = new Error('busy');
  let calls = 0;
  const attempt = async () => {
    calls++;
    throw busy;
  };
  await expect(retry(attempt, { attempts: 2, pauseMs: 0, retryError: (e) => e === busy })).rejects.toBe(busy);
  expect(calls).toBe(2);
});

test('an error not worth retrying is thrown at once', async () => {
  let calls = 0;
  const attempt = async (): Promise<number> => {
    calls++;
    if (calls === 1) throw new Error('denied');
    return 0;
  };
  await expect(retry(attempt, { attempts: 3, pauseMs: 0, retryError: () => false })).rejects.toThrow('denied');
  expect(calls).toBe(1);
});

test('an error then a good answer: the answer, after two attempts', async () => {
  let calls = 0;
  const attempt = async (): Promise<number> => {
    calls++;
    if (calls === 1) throw new Error('timeout');
    return 7;
  };
  expect(await retry(attempt, { attempts: 2, pauseMs: 0, retryError: () => true })).toEqual({ answer: 7, attempts: 2, earlier: [] });
});

test('a growing pause and a note before each retry', async () => {
  const notes: number[] = [];
  const pauses: number[] = [];
  let calls = 0;
  const attempt = async (): Promise<number> => {
    calls++;
    if (calls < 3) throw new Error('write lost');
    return calls;
  };
  const rule = {
    attempts: 5,
    pauseMs: (n: number) => {
      pauses.push(n);
      return 0;
    },
    retryError: () => true,
    onRetry: (n: number) => notes.push(n),
  };
  expect(await retry(attempt, rule)).toEqual({ answer: 3, attempts: 3, earlier: [] });
  expect(notes).toEqual([1, 2]);
  expect(pauses).toEqual([1, 2]);
});
