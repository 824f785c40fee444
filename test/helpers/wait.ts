/**
 * How long a unit test waits for what runs outside its control (a request over loopback, its
 * answer, the widget's reaction to it) before it fails. CI runs the suite on two cores, with
 * other suites beside it: `vi.waitFor`'s 1 s default ran out there though nothing was wrong
 * (1 of 676 unit tests in 1 of 3 runs beside two busy loops). A guard against a hang, not a
 * speed limit: a passing wait returns as soon as its condition holds.
 */
export const WAIT_MS = 10_000;

/** Options for `vi.waitFor`: polls as often as the default, for as long as `WAIT_MS`. */
export const patiently = { timeout: WAIT_MS };
