'use strict';
// Deadline-bound polling for a condition: the one way interop tests wait for
// something that has no event of its own (a row, a metric, a peer entry).

/** Polls `predicate` (async allowed) every 20 ms until it returns a truthy
 * value, which it returns; throws naming `what` once `timeoutMs` has passed. */
async function waitFor(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

module.exports = { waitFor };
