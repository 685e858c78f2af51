/** Personal records live exactly this long (product page: "a fixed 90-day TTL"). */
export const PERK_TTL_DAYS = 90;
export const PERK_TTL_MS = PERK_TTL_DAYS * 24 * 60 * 60 * 1000;
