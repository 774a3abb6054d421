import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  // Test helpers read the test run's environment (where the stack is) directly.
  { files: ['**/*.ts'], rules: { 'no-restricted-properties': 'off' } },
];
