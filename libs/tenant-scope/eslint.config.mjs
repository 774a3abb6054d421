import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // The one place that opens a raw MongoDB collection: the scoped wrappers do it for everyone else.
  { files: ['src/lib/scoped-collection.ts'], rules: { 'no-restricted-syntax': 'off' } },
];
