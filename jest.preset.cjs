// Shared jest settings of every project. With isolatedModules (tsconfig.base.json)
// ts-jest transpiles without type-checking — `tsc` in CI does that — which keeps a
// 2-core run fast.
const { join } = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

function projectConfig(projectDir, displayName) {
  return {
    displayName,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: [
      '<rootDir>/src/**/*.spec.ts',
      '<rootDir>/src/**/*.int-spec.ts',
      '<rootDir>/src/**/*.e2e-spec.ts',
      '<rootDir>/test/**/*.spec.ts',
    ],
    moduleFileExtensions: ['ts', 'js', 'json'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: join(projectDir, 'tsconfig.spec.json') }],
    },
    moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: `${__dirname}/` }),
  };
}

module.exports = { projectConfig };
