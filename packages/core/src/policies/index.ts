export * from './baseline.js';
export * from './conditions.js';
