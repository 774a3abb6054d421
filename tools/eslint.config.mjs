import baseConfig from '../eslint.config.mjs';

export default [
  ...baseConfig,
  // Tools are entry points run by people and CI: they read their environment directly.
  { files: ['**/*.ts'], rules: { 'no-restricted-properties': 'off' } },
  { ignores: ['**/*.cjs', '**/*.mjs'] },
];
