import nx from '@nx/eslint-plugin';

/**
 * Architecture rules are errors, not warnings: an app never imports another app,
 * libraries are reached only through their index, and each `type:` may depend only
 * on the types listed here.
 */
const constraints = (testing) =>
  [
    ['type:app', ['type:feature', 'type:data-access', 'type:contracts', 'type:util']],
    ['type:e2e', ['type:testing', 'type:contracts', 'type:util', 'type:data-access']],
    ['type:feature', ['type:feature', 'type:data-access', 'type:contracts', 'type:util']],
    ['type:data-access', ['type:data-access', 'type:contracts', 'type:util']],
    ['type:contracts', ['type:contracts', 'type:util']],
    ['type:util', ['type:util', 'type:contracts']],
    ['type:testing', ['type:testing', 'type:contracts', 'type:util']],
    ['type:tooling', ['type:data-access', 'type:contracts', 'type:util']],
  ]
    .map(([sourceTag, allowed]) => ({
      sourceTag,
      onlyDependOnLibsWithTags: testing ? [...allowed, 'type:testing'] : allowed,
    }))
    .concat([
      { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:ingest', 'scope:shared'] },
      { sourceTag: 'scope:processor', onlyDependOnLibsWithTags: ['scope:processor', 'scope:shared'] },
      { sourceTag: 'scope:aggregation', onlyDependOnLibsWithTags: ['scope:aggregation', 'scope:shared'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    ]);

const boundaries = (testing) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: false,
    allow: [],
    depConstraints: constraints(testing),
  },
];

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.tally',
      '**/.nx',
      '**/jest.config.cjs',
      'jest.preset.cjs',
      '**/webpack.config.js',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read configuration through the app config (parseConfig); only config/, main.ts, tools and tests touch process.env.',
        },
      ],
      // Raw collections are opened only by libs/tenant-scope (its config) and tests (below); the two
      // reads across tenants outside them (an e2e check, a bench) are marked where they happen.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='collection']",
          message:
            'Open MongoDB collections with tenantCollection (or platformCollection, for reads across tenants) from @tally/tenant-scope, so an unscoped filter does not compile.',
        },
      ],
    },
  },
  // Tests (and only tests) may also use the testing library.
  { files: TEST_FILES, rules: { '@nx/enforce-module-boundaries': boundaries(true) } },
  { files: ['**/config/*.ts', '**/main.ts', ...TEST_FILES], rules: { 'no-restricted-properties': 'off' } },
  // Tests set up and inspect the stores directly, across tenants on purpose.
  { files: TEST_FILES, rules: { 'no-restricted-syntax': 'off' } },
];
