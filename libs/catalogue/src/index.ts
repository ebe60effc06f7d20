// The public surface of libs/catalogue: only what other libs, apps, tests, bench and tools import.
export { CatalogueModule } from './catalogue.module.js';
export { CatalogueVersionsService, ProvinceCatalogues } from './catalogue-versions.service.js';
export { CATALOGUE_APPLIED, CATALOGUE_PUBLISHED } from './national-catalogue.service.js';
export { applyChanges, checkChanges, effectiveCatalogue, type CatalogueChanges } from './catalogue-changes.js';
