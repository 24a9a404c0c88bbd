/** Overlay controller: operator intent -> the VTEP program's table entries, and counters back. */
export * from './controller.js';
export * from './derive.js';
export * from './device-profile.js';
export * from './device-state.js';
export * from './fabric-controller.js';
export * from './fabric-schema.js';
export * from './intent.js';
export * from './load-fabric.js';
export * from './parse-intent.js';
export * from './plan.js';
export * from './pmtu.js';
export * from './program-check.js';
export * from './punts.js';
export * from './reasons.js';
export * from './reconcile.js';
export * from './service.js';
