/** Overlay controller: operator intent -> the VTEP program's table entries, and counters back. */
export * from './controller.js';
export * from './intent.js';
export * from './parse-intent.js';
export * from './plan.js';
export * from './reasons.js';
