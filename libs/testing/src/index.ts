export { mappedRoutes, startApp, type RunningApp } from './lib/app-process.util';
export {
  composeDisagreements,
  composeEnvironmentOf,
  loadComposeFile,
  readRepoFile,
  type ComposeFile,
} from './lib/compose-file.util';
export { eventually, sleep } from './lib/eventually.util';
export { kubernetesDisagreements, kubernetesEnvironmentOf, type DeployedConfig } from './lib/k8s-manifests.util';
export { testEnvironment, type AppName, type TestEnvironment } from './lib/test-environment';
export { uniqueName } from './lib/unique-name.util';
export { SDK_CLIENTS, requireSdkClient } from './lib/sdk-clients.util';
