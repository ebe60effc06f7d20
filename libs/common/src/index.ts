export * from './errors.js';
export * from './correlation.js';
export * from './masking.js';
export * from './logger.js';
export * from './config.js';
export * from './paging.js';
export * from './csv.js';
