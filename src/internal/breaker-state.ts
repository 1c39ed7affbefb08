// One breaker-state type for the instance breakers (balance) and the phase-2 classifier breaker (classify).

/** Breaker states. `half-open` lets a limited number of trial calls through. */
export type BreakerState = 'closed' | 'open' | 'half-open';
