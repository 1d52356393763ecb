import type { IConstruct } from 'constructs';
import type { WorkloadPort } from '../workloads/workload.js';

/**
 * What network rules need from a workload: its name, namespace, stable pod selector and exposed
 * ports. Every `IWorkload` is one; so is any construct with pods (e.g. a training Job) that
 * offers these four fields with `exposedPorts: []`. The policies are created as children of the
 * endpoint, so they land in its namespace and output directory.
 */
export interface INetworkEndpoint extends IConstruct {
  /** `metadata.name` of the controller; the policies are `<workloadName>-ingress` / `-egress`. */
  readonly workloadName: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels that select exactly the endpoint's pods (stable, path-independent). */
  readonly selector: Record<string, string>;
  /** Ports that rules admit by default and that port names resolve against. */
  readonly exposedPorts: readonly WorkloadPort[];
}
