// Host ports the harness pins for a run: a component restarted by a fault must come back on the same
// port, or the endpoints every service and step holds go stale. They are chosen below the kernel's
// ephemeral range, because the kernel hands ports of that range to outgoing connections and Docker to
// containers published without a host port: either could take a pinned port while its component is
// stopped, and the restart would fail with "port is already allocated".
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { MesE2eError } from '../errors.ts';

export interface PortRange {
  first: number;
  last: number;
}

const linuxEphemeralRangeFile = '/proc/sys/net/ipv4/ip_local_port_range';
const linuxDefaultEphemeralRange: PortRange = { first: 32768, last: 60999 };
/** Well above the ports servers are usually configured on (5432, 5672, 8080, 15672...). */
const lowestPinnedPort = 20000;
const minimumRangeSize = 2000;
const attempts = 50;

/** Ports this process already handed out: two picks in one process never collide, even before use. */
const handedOut = new Set<number>();

export function ephemeralRange(file = linuxEphemeralRangeFile): PortRange {
  try {
    const [first = Number.NaN, last = Number.NaN] = readFileSync(file, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(first) && Number.isInteger(last) && first <= last) return { first, last };
  } catch {
    // Not Linux, or no /proc: the default range is the one to stay out of.
  }
  return linuxDefaultEphemeralRange;
}

/** Where pinned ports come from: below the ephemeral range, else above it, else anywhere unprivileged. */
export function pinnableRange(ephemeral: PortRange = ephemeralRange()): PortRange {
  if (ephemeral.first - lowestPinnedPort >= minimumRangeSize)
    return { first: lowestPinnedPort, last: ephemeral.first - 1 };
  if (65535 - ephemeral.last >= minimumRangeSize) return { first: ephemeral.last + 1, last: 65535 };
  return { first: 1024, last: 65535 };
}

/** Whether a listener could take the port on every interface now (what docker-proxy does). */
function canListenOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on now, outside the ranges others hand out: for a process or a container. */
export async function freePort(range: PortRange = pinnableRange()): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = range.first + Math.floor(Math.random() * (range.last - range.first + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListenOn(port)) return port;
  }
  throw new MesE2eError(
    'environment',
    `no free port found in ${range.first}-${range.last} after ${attempts} attempts`,
    'free some ports on this machine (docker ps, or processes left over: mes-e2e env prune) and run again',
  );
}
