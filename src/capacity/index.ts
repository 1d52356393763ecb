// Public API of the capacity planner (`lambda-gitops plan`, the capacity-fit gate rule, the PR plan delta).
export {
  planCapacity, simulatePlan, clusterModelOfTree, fitOf,
  type PlanReport, type PlanResult, type PoolReport, type ResourceUsage, type GpuUsage, type UnschedulableWorkload,
  type QuotaCheck, type PoolCost, type NamespaceGpuCost, type CloudAlternative, type GpuHourCost, type PlanOptions,
} from './plan.js';
export { applyLiveCatalog, type CapacityNow, type PoolCapacityNow, type LiveCatalogResult } from './live-prices.js';
export { DEFAULT_MAX_PRICE_AGE_DAYS, priceAgeDays, priceAgeWarning, describeAge } from './price-age.js';
export { utilizationFromOption, utilizationFromPrometheus, loadUtilizationFile, UtilizationError, type GpuUtilization } from './utilization.js';
export { planDelta, renderPlanDeltaMarkdown, type CapacityPlanDelta, type PoolCapacityDelta, type ValueChange } from './delta.js';
export { renderPlanText, renderPlanMarkdown, utilizationChart } from './report.js';
export { PlanInputError, BUILT_IN_PRIORITY_CLASSES, readTree, type PlanInput, type PodGroup, type TreeFacts, type QuotaObject } from './workloads.js';
export { schedule, nodesOf, fitErrorMessage, type SimNode, type SimPod, type Simulation, type SchedulingFailure, type ScheduleOptions, type PreparedNodes } from './scheduler.js';
export { CLOUD_GPU_OFFERS, cloudPeersOf, type CloudGpuOffer } from './cloud-prices.js';
export { timeSlicingWarnings } from './time-slicing-check.js';
export { capacityFitRule } from './capacity-fit.js';
export { simulateDrains, type NodeDrain, type StrandedWorkload, type ReplacementOptions } from './drain.js';
export { simulateRollouts, type RolloutCheck } from './rollout.js';
export { hardSpreadConstraints, REASON_SPREAD, REASON_SPREAD_LABEL, type SpreadConstraint } from './topology-spread.js';
export { nodeLocalClaims, disruptionsAllowed } from './node-local-claims.js';
