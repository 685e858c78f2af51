export { APP_ERROR_CODES, AppError, type AppErrorCode, isAppError } from './app-error.js';
export * from './budgets/index.js';
export type { ProviderCatalogue } from './catalogue/builtin-catalogue.js';
export { BUILTIN_ENTRIES, BUILTIN_PROVIDERS } from './catalogue/builtin-catalogue.js';
export { CatalogueEntryError, createCatalogue, defaultCatalogue } from './catalogue/catalogue.js';
export { normalizeHost, validateCatalogueEntry } from './catalogue/host-pattern.js';
export type { ProviderInfo } from './catalogue/providers.js';
export { isBuiltinProvider, PROVIDERS, providerDisplayName } from './catalogue/providers.js';
export type {
  BuiltinCategory,
  Catalogue,
  CatalogueEntry,
  Classification,
  Product,
} from './catalogue/types.js';
export { BUILTIN_CATEGORIES, PRODUCTS } from './catalogue/types.js';
export * from './efficiency/index.js';
export {
  DEFAULT_RATIOS,
  ESTIMATOR_VERSION,
  PROVIDER_RATIOS,
  QUIC_ADJUSTMENT,
  RATIO_BOUNDS,
} from './estimator/default-ratios.js';
export { estimateTokens, isValidRatio } from './estimator/estimate-tokens.js';
export type { RatioSample } from './estimator/fit-ratio.js';
export { fitRatio } from './estimator/fit-ratio.js';
export type {
  DirectionalRatios,
  EstimateInput,
  Ratio,
  RatioOverride,
  RatioOverrides,
  TokenEstimate,
  Transport,
} from './estimator/types.js';
export * from './extension/index.js';
export * from './forecast/index.js';
export { isUuid, isUuidV7, newEventId, uuidV7Timestamp } from './ids.js';
export * from './policies/index.js';
export * from './privacy/index.js';
