/**
 * The dependency rule of docs/architecture.md, enforced in CI (`npm run lint`):
 * core imports only core (and no node: modules); drivers, store, export and agent import core/model
 * and core/ports (never api); api imports core, never store or drivers; only main.ts and tests wire.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/core imports only src/core: no node:* modules, no packages, no other layer',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'adapters-use-model-and-ports-only',
      comment: 'drivers, store, export and agent see the core only through core/model, core/ports and core/errors',
      severity: 'error',
      from: { path: '^src/(drivers|store|export|agent)/', pathNot: '^src/(drivers/dataplane|agent/network)/' },
      to: { path: '^src/core/', pathNot: '^src/core/(model|ports|errors\\.ts)' },
    },
    {
      name: 'dataplane-drivers-use-the-plan-contract',
      comment: 'data plane drivers consume the per-host spec (core/network/plan) and pure address helpers, nothing else of the core',
      severity: 'error',
      from: { path: '^src/drivers/dataplane/' },
      to: { path: '^src/core/', pathNot: '^src/core/(model|ports|errors\\.ts|network/(plan|topology|ip)/)' },
    },
    {
      name: 'network-agent-uses-the-planner',
      comment: 'the network agent runs the pure planner and the model-to-topology mapping (core/network/realize) between the store and the data plane driver, nothing else of the core',
      severity: 'error',
      from: { path: '^src/agent/network/' },
      to: { path: '^src/core/', pathNot: '^src/core/(model|ports|errors\\.ts|network/(plan|topology|realize)/)' },
    },
    {
      name: 'adapters-never-import-api',
      severity: 'error',
      from: { path: '^src/(drivers|store|export|agent|core)/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'api-never-imports-adapters',
      comment: 'api talks to core services only; main.ts wires the concrete store and drivers',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(store|drivers|export|agent)/' },
    },
    {
      name: 'only-main-wires',
      comment: 'the composition root (main.ts and src/wiring) is imported only by the CLI and itself',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|cli/.*|wiring/.*)\\.ts$' },
      to: { path: '^src/(main|wiring/.*)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|/contract/|test-databases\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
