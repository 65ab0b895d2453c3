/**
 * Network: the shared context of one simulated world — the clock, the packet pool, the tracer
 * and a registry of hosts and links. Every device and host holds a reference to it.
 */
import type { Simulation } from '../sim/simulation.ts';
import { NULL_TRACER, type Tracer } from '../trace/recorder.ts';
import { PacketPool } from './packet.ts';
import type { Host } from './host.ts';
import type { Link } from './device/link.ts';

export class Network {
  readonly pool = new PacketPool();
  readonly hosts: Host[] = [];
  readonly links: Link[] = [];
  /** Frames received at the far end of a link (the benchmark's "packet-hops"). */
  packetHops = 0;
  private macCounter = 0;

  constructor(
    readonly sim: Simulation,
    public tracer: Tracer = NULL_TRACER,
  ) {}

  /** A locally administered, deterministic MAC address (02:00:00:xx:xx:xx). */
  nextMac(): number {
    this.macCounter++;
    return 0x020000000000 + this.macCounter;
  }

  host(name: string): Host {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host named ${name}`);
    return h;
  }
}
