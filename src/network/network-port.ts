import { InvalidPropError } from '../core/errors.js';
import type { INetworkEndpoint } from './network-endpoint.js';

/** Transport protocols a NetworkPolicy port can name. */
export type NetworkProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A port number (or range) after port names have been resolved against the destination workload. */
export interface ResolvedPort {
  /** The protocol. */
  readonly protocol: NetworkProtocol;
  /** The (first) port number. */
  readonly port: number;
  /**
   * The last port of a range (inclusive).
   * @default - a single port
   */
  readonly endPort?: number;
}

/**
 * A port (or port range) a network rule admits. Ports named with {@link NetworkPort.named} (or a
 * plain string) are resolved against the destination workload's exposed ports and rendered as
 * container port numbers: NetworkPolicies act after the Service has translated its port, so the
 * container port, not the Service port, is what a rule must allow.
 */
export class NetworkPort {
  /** A TCP port, or the TCP range `port`..`endPort`. */
  public static tcp(port: number, endPort?: number): NetworkPort {
    return new NetworkPort('TCP', port, endPort);
  }

  /** A UDP port, or the UDP range `port`..`endPort`. */
  public static udp(port: number, endPort?: number): NetworkPort {
    return new NetworkPort('UDP', port, endPort);
  }

  /** A port of the destination workload, by its name (e.g. `http`, `metrics`). */
  public static named(name: string): NetworkPort {
    return new NetworkPort('TCP', name);
  }

  /** Accepts a {@link NetworkPort} or a port name. */
  public static of(port: NetworkPort | string): NetworkPort {
    return typeof port === 'string' ? NetworkPort.named(port) : port;
  }

  private constructor(
    /** The protocol. */
    public readonly protocol: NetworkProtocol,
    /** A port number, or the name of one of the destination workload's ports. */
    public readonly port: number | string,
    /** The last port of a range. */
    public readonly endPort?: number,
  ) {
    const where = `NetworkPort.${protocol.toLowerCase()}`;
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new InvalidPropError(where, 'port', port, 'must be a port number from 1 to 65535');
      }
      if (endPort !== undefined && (!Number.isInteger(endPort) || endPort <= port || endPort > 65535)) {
        throw new InvalidPropError(where, 'endPort', endPort, `must be a port number above ${port} and at most 65535`);
      }
    } else if (typeof port !== 'string' || port.length === 0) {
      throw new InvalidPropError('NetworkPort.named', 'name', port, "must be the name of one of the destination workload's ports");
    }
  }

  /**
   * The port number(s) this port stands for at `destination`.
   * @param context construct path or call site, for error messages
   * @param destination the workload receiving the traffic, when the peer is a workload
   */
  public resolve(context: string, destination?: INetworkEndpoint): ResolvedPort {
    if (typeof this.port === 'number') {
      return { protocol: this.protocol, port: this.port, ...(this.endPort !== undefined ? { endPort: this.endPort } : {}) };
    }
    if (!destination) {
      throw new InvalidPropError(context, 'ports', this.port,
        'a port name can only be resolved when the destination is a workload; use NetworkPort.tcp(<number>) for namespaces and CIDRs');
    }
    const match = destination.exposedPorts.find((p) => p.name === this.port);
    if (!match) {
      const names = destination.exposedPorts.map((p) => p.name);
      throw new InvalidPropError(context, 'ports', this.port,
        `must name an exposed port of ${destination.namespace}/${destination.workloadName}: ${names.length > 0 ? names.join(', ') : '(it exposes none)'}`);
    }
    return { protocol: 'TCP', port: match.containerPort };
  }
}

/** The ports a rule admits when the caller names none: every exposed container port of `destination`. */
export function exposedPortsOf(context: string, destination: INetworkEndpoint): ResolvedPort[] {
  if (destination.exposedPorts.length === 0) {
    throw new InvalidPropError(context, 'ports', undefined,
      `${destination.namespace}/${destination.workloadName} exposes no ports, so there is nothing to default to; pass the ports explicitly`);
  }
  return destination.exposedPorts.map((p) => ({ protocol: 'TCP', port: p.containerPort }));
}

/** A stable key and sort order for resolved ports. */
export function portKey(port: ResolvedPort): string {
  return `${port.protocol}/${String(port.port).padStart(5, '0')}-${String(port.endPort ?? port.port).padStart(5, '0')}`;
}
