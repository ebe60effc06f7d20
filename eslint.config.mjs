import nx from '@nx/eslint-plugin';

const layers = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:contracts'],
  },
  {
    sourceTag: 'type:feature',
    onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:contracts'],
  },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contracts'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['*'] },
  // The web console (apps/console) runs in the browser: it reaches the nodes only through the API
  // client (type:contracts), and nothing imports it (no other tag allows scope:console or type:web).
  { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:console', 'scope:shared'] },
  // The node roles: a national lib or app never imports a provincial one, nor the reverse; shared libs import neither.
  { sourceTag: 'scope:national', onlyDependOnLibsWithTags: ['scope:national', 'scope:shared'] },
  { sourceTag: 'scope:provincial', onlyDependOnLibsWithTags: ['scope:provincial', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // The tests start both nodes.
  { sourceTag: 'scope:test', onlyDependOnLibsWithTags: ['*'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', '.nx/**', '.kafka/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: ['@tmis/national', '@tmis/provincial'], depConstraints: layers },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-inferrable-types': ['error', { ignoreProperties: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // A lib's public surface lists, by name, what other libs, apps, tests, bench and tools import (issue 12).
    files: ['libs/*/src/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name what the lib offers: export { … } from, not export *.' },
      ],
    },
  },
  {
    // Services and controllers hold no SQL: queries live in the repository of their table, and the
    // transaction boundary is the TransactionHost (ADR 0009), so nothing here needs TypeORM itself.
    files: ['libs/**/*.service.ts', 'libs/**/*.controller.ts', 'apps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'typeorm', message: 'Queries belong in a repository; declare transactions with TransactionHost.' },
          ],
        },
      ],
    },
  },
];
