export * from './dedupe.js';
export * from './model.js';
export * from './path-class.js';
