/** A wait bounded in time: the answer of `work`, or TimedOut once `ms` have passed. */

/** `withinMs`'s refusal: the work did not settle in time (it goes on, unwatched). */
export class TimedOut extends Error {}

/** `work`'s outcome, or a TimedOut rejection after `ms`; the timer never outlives the wait. */
export async function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
