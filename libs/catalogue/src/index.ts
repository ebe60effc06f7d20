// The public surface of libs/catalogue: only what other libs, apps, tests, bench and tools import.
export { CatalogueModule } from './catalogue.module.js';
export { CatalogueVersionsService, CATALOGUE_APPLIED, CATALOGUE_PUBLISHED } from './catalogue-versions.service.js';
export { applyChanges, checkChanges, effectiveCatalogue, type CatalogueChanges } from './catalogue-changes.js';
