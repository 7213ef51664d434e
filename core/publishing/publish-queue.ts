/**
 * What core needs of the job queue for publishing (the worker layer implements it with BullMQ; core
 * never imports BullMQ). Postgres stays the source of truth: a queue call that fails is repaired by the
 * reconciler within a minute, so callers may ignore queue errors after their transaction committed.
 */
export interface PublishQueue {
  /** Adds the delayed job of an item unless a live one (waiting, delayed, active) exists. */
  ensure(contentId: string, revision: number, at: Date): Promise<'added' | 'exists'>;
  /** Puts the item's job at a new time (removing a waiting or delayed one first). */
  replace(contentId: string, revision: number, at: Date): Promise<void>;
  /** Removes the item's job if it has not started. */
  remove(contentId: string, revision: number): Promise<void>;
  /** Runs a waiting (delayed) job now: the next item of an account that just became free. */
  promote(contentId: string, revision: number): Promise<void>;
}

/** The deterministic job id of one revision of one item. */
export const publishJobId = (contentId: string, revision: number) => `publish-${contentId}-r${revision}`;
