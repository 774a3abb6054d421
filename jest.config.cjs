// The whole suite in one jest run (one summary for CI). Real Kafka, Redis, the
// MongoDB-wire store and Prometheus are brought up once per run by the global setup.
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const projects = ['apps', 'libs'].flatMap((group) =>
  readdirSync(join(__dirname, group))
    .map((name) => join(__dirname, group, name))
    .filter((dir) => existsSync(join(dir, 'jest.config.cjs'))),
);

module.exports = {
  projects,
  globalSetup: '<rootDir>/tools/test/jest-global-setup.cjs',
  globalTeardown: '<rootDir>/tools/test/jest-global-teardown.cjs',
  testTimeout: 60_000,
};
