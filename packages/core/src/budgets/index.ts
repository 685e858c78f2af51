export {
  type BudgetCheck,
  type Cap,
  type Decision,
  type DecisionCode,
  decidePreflight,
  remainingOf,
} from './decide.js';
export {
  isPeriodKey,
  isValidTimeZone,
  localDay,
  type PeriodBounds,
  periodBounds,
  periodKeyOf,
  periodOf,
  shiftPeriodKey,
  startOfLocalDay,
} from './period.js';
export { type ReconciledDay, type ScopedUsage, type Spend, spendWithReconciled } from './reconcile.js';
export { effectiveLimit, type RolloverInput, rolloverAmount } from './rollover.js';
export { normalizeThresholds, thresholdAmount, thresholdsToFire } from './thresholds.js';
export { ancestorChain, childrenOf, type ParentMap, rollUp, wouldCreateCycle } from './tree.js';
