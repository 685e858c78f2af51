export type { PrivacySettings, PrivacyState, PrivacyWindow } from './schedule.js';
export {
  isPrivate,
  isPrivateAny,
  isValidTimeZone,
  localClock,
  parseClock,
  privacyState,
  privacyStateAny,
  windowProblem,
} from './schedule.js';
