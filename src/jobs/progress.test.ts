import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ThrottledProgress } from './progress.ts';
import type { JobProgress } from './view.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function recorder(): { written: JobProgress[]; write: (progress: JobProgress) => Promise<void> } {
  const written: JobProgress[] = [];
  return { written, write: async (progress) => void written.push(progress) };
}

it('writes the first report at once, then at most one per interval, the latest winning', async () => {
  const { written, write } = recorder();
  const progress = new ThrottledProgress(write, 250, () => {});
  for (let done = 1; done <= 100; done++) progress.set({ done, total: 100 });
  await vi.advanceTimersByTimeAsync(0);
  expect(written).toEqual([{ done: 1, total: 100 }]);
  await vi.advanceTimersByTimeAsync(249);
  expect(written).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(written).toEqual([{ done: 1, total: 100 }, { done: 100, total: 100 }]);
  // Nothing new: nothing written.
  await vi.advanceTimersByTimeAsync(1000);
  expect(written).toHaveLength(2);
});

it('writes what is left on close, and nothing after', async () => {
  const { written, write } = recorder();
  const progress = new ThrottledProgress(write, 250, () => {});
  progress.set({ done: 1, total: null, stage: 'scanning' });
  progress.set({ done: 2, total: null, stage: 'scanning' });
  await progress.close();
  expect(written.map((p) => p.done)).toEqual([1, 2]);
  progress.set({ done: 3, total: null });
  await vi.advanceTimersByTimeAsync(1000);
  expect(written.map((p) => p.done)).toEqual([1, 2]);
});

it('reports a failed write and tries the latest value again later', async () => {
  const errors: unknown[] = [];
  const written: number[] = [];
  let failing = true;
  const progress = new ThrottledProgress(
    async (value) => {
      if (failing) throw new Error('database away');
      written.push(value.done);
    },
    100,
    (error) => errors.push(error),
  );
  progress.set({ done: 1, total: 10 });
  await vi.advanceTimersByTimeAsync(0);
  expect(errors).toHaveLength(1);
  failing = false;
  await vi.advanceTimersByTimeAsync(100);
  expect(written).toEqual([1]);
});
