// Privacy Hours evaluation is shared with the server (which shows employees their state): core.
export type { PrivacySettings, PrivacyState, PrivacyWindow } from '@toktra/core';
export { isPrivate, isPrivateAny, localClock, parseClock, privacyState, privacyStateAny } from '@toktra/core';
