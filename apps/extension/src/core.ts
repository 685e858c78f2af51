/**
 * The parts of @toktra/core the extension bundles. Imported file by file: the package index also
 * re-exports server-side modules (node:crypto) that cannot run in a browser.
 */
export { BUILTIN_ENTRIES } from '../../../packages/core/src/catalogue/builtin-catalogue.js';
export { defaultCatalogue } from '../../../packages/core/src/catalogue/catalogue.js';
export type { CatalogueEntry } from '../../../packages/core/src/catalogue/types.js';
export { modelFromHeaders, modelFromUrl } from '../../../packages/core/src/extension/model.js';
export { classifyPath } from '../../../packages/core/src/extension/path-class.js';
export { newEventId } from '../../../packages/core/src/ids.js';
export { isPrivate, type PrivacySettings } from '../../../packages/core/src/privacy/schedule.js';
