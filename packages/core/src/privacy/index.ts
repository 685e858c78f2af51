export type { PrivacySettings, PrivacyState, PrivacyWindow } from './schedule.js';
export {
  isPrivate,
  isPrivateAny,
  localClock,
  parseClock,
  privacyState,
  privacyStateAny,
  windowProblem,
} from './schedule.js';
