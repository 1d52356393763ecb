import { Construct } from 'constructs';
import { InvalidPropError, pathOfChild } from '../core/errors.js';
import { CpuServiceOptions, ServiceWorkload } from './service-workload.js';

/** Props of {@link McpServer}. */
export interface McpServerProps extends CpuServiceOptions {
  /** The server's image (pinned), serving MCP over streamable HTTP on `0.0.0.0`. */
  readonly image: string;
  /**
   * Container port of the streamable HTTP endpoint (FastMCP's default).
   * @default 8000
   */
  readonly port?: number;
  /**
   * The MCP endpoint path.
   * @default '/mcp'
   */
  readonly path?: string;
  /**
   * Whether the server keeps session state in memory (answers `initialize` with an
   * `Mcp-Session-Id`). A stateful server gets `sessionAffinity: ClientIP` so a client keeps
   * talking to the pod that holds its session; stateless servers scale freely.
   * @default false
   */
  readonly stateful?: boolean;
  /**
   * Arguments.
   * @default []
   */
  readonly args?: string[];
}

/**
 * A Model Context Protocol server on the streamable HTTP transport: a Deployment + Service on
 * :8000 with the endpoint at `/mcp`, TCP probes (MCP defines no health route), stateless by
 * default (2 replicas, autoscalable); a stateful server gets ClientIP session affinity.
 * Defaults: 100m CPU (burst 500m), 128Mi memory (limit 256Mi).
 */
export class McpServer extends ServiceWorkload {
  /** The MCP endpoint URL clients use, e.g. `http://search-mcp.agents.svc.cluster.local:8000/mcp`. */
  public readonly mcpUrl: string;
  /** Whether sessions are pinned to pods. */
  public readonly stateful: boolean;

  constructor(scope: Construct, id: string, props: McpServerProps) {
    const mcpPath = props.path ?? '/mcp';
    if (typeof mcpPath !== 'string' || !/^\/[A-Za-z0-9._~\/-]*$/.test(mcpPath)) {
      throw new InvalidPropError(pathOfChild(scope, id), 'path', mcpPath, "must be an absolute URL path such as '/mcp'");
    }
    const stateful = props.stateful ?? false;
    super(scope, id, {
      ...props,
      component: 'mcp-server',
      ports: [{ name: 'mcp', containerPort: props.port ?? 8000 }],
      resources: {
        cpu: props.resources?.cpu ?? { request: '100m', limit: '500m' },
        memory: props.resources?.memory ?? { request: '128Mi', limit: '256Mi' },
        ...(props.resources?.ephemeralStorage ? { ephemeralStorage: props.resources.ephemeralStorage } : {}),
      },
      sessionAffinity: stateful ? 'ClientIP' : 'None',
    });
    this.stateful = stateful;
    this.mcpUrl = `${this.endpoint}${mcpPath}`;
  }
}
