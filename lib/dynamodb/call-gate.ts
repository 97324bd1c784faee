import pLimit from 'p-limit';
import type { CallGate } from './batch';

/**
 * A gate that lets at most `inFlight` calls run at once (p-limit). Kept in its own module so that only
 * the functions that build one (the campaign worker) bundle p-limit.
 */
export const callGate = (inFlight: number): CallGate => pLimit(inFlight);
