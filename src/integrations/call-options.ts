/** Options every outside-system call takes, whatever the system. */

/** Per-call options; pass the activity's cancellation signal so a cancelled activity stops waiting. */
export interface CallOptions {
  signal?: AbortSignal;
}
