// What GPU availability means for a launch, and the node picture of the Clusters view.
import type { Availability, ClusterNode, NodeCapacity, TypeAvailability } from '../api/types';

export type AvailabilityTone = 'ok' | 'wait' | 'none' | 'unknown';

export interface AvailabilityText {
  text: string;
  tone: AvailabilityTone;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function sumTypes(types: TypeAvailability[], name: string): TypeAvailability {
  const total: TypeAvailability = { type: name, total: 0, used: 0, free: 0, powered_down: 0, unavailable: 0, pending: 0, nodes: [] };
  const freeByNode = new Map<string, number>();
  for (const type of types) {
    total.total += type.total;
    total.used += type.used;
    total.free += type.free;
    total.powered_down += type.powered_down;
    total.unavailable += type.unavailable;
    total.pending += type.pending;
    for (const node of type.nodes) freeByNode.set(node.name, (freeByNode.get(node.name) ?? 0) + node.free);
  }
  total.nodes = [...freeByNode].map(([name, free]) => ({ name, free })).sort((a, b) => a.name.localeCompare(b.name));
  return total;
}

// The GPUs a launch could use: of `gpuType` (any type when empty) in `partition` (the whole
// cluster when empty or not listed), with untyped pending requests counted for "any type".
export function gpusFor(availability: Availability, partition: string, gpuType: string): TypeAvailability | null {
  const scope = availability.partitions.find((entry) => entry.name === partition);
  const types = scope ? scope.gpu_types : availability.gpu_types;
  const pendingUntyped = scope ? scope.pending_untyped : availability.pending_untyped;
  if (gpuType) return types.find((type) => type.type === gpuType) ?? null;
  if (types.length === 0) return null;
  const all = sumTypes(types, '');
  all.pending += pendingUntyped;
  return all;
}

// One line saying whether `gpusPerNode` × `nodes` GPUs can start now: "6 free now on 2 nodes",
// "none free now; queued behind 12 pending GPUs", ...
export function availabilityText(
  availability: Availability | null | undefined,
  partition: string,
  gpuType: string,
  gpusPerNode: number,
  nodes: number,
): AvailabilityText {
  if (!availability || availability.queried_at === null) {
    return { text: availability?.refreshing ? 'asking the cluster…' : 'availability not known yet', tone: 'unknown' };
  }
  const gpus = gpusFor(availability, partition, gpuType);
  const what = gpuType ? `${gpuType} GPUs` : 'GPUs';
  const where = partition ? ` in ${partition}` : '';
  if (!gpus || gpus.total + gpus.unavailable === 0) return { text: `no ${what}${where}`, tone: 'none' };
  if (gpusPerNode <= 0) return { text: `${gpus.free} free now (this job asks for none)`, tone: 'ok' };
  const freeNodes = gpus.nodes.filter((node) => node.free > 0);
  const fitting = gpus.nodes.filter((node) => node.free >= gpusPerNode).length;
  const fits = fitting >= Math.max(1, nodes);
  const queue = gpus.pending > 0 ? `queued behind ${plural(gpus.pending, 'pending GPU')}` : '';
  const extra: string[] = [];
  if (gpus.powered_down > 0) extra.push(`${gpus.powered_down} powered down (booted on demand)`);
  if (gpus.unavailable > 0) extra.push(`${gpus.unavailable} unavailable`);
  const tail = extra.length ? ` · ${extra.join(', ')}` : '';
  if (gpus.free === 0) {
    return { text: `none free now (${gpus.used} of ${gpus.total} in use)${queue ? `; ${queue}` : ''}${tail}`, tone: queue ? 'wait' : 'none' };
  }
  const free = `${gpus.free} free now on ${plural(freeNodes.length, 'node')}`;
  if (fits) return { text: `${free}${gpus.pending > 0 ? ` · ${plural(gpus.pending, 'GPU')} pending` : ''}${tail}`, tone: 'ok' };
  const short =
    nodes > 1
      ? `${plural(fitting, 'node')} with ${gpusPerNode} free, ${nodes} needed`
      : `no node has ${gpusPerNode} free at once`;
  return { text: `${free}, but ${short}${queue ? `; ${queue}` : ''}${tail}`, tone: 'wait' };
}

// Totals of a cluster for the dashboard: free of total, and pending.
export function clusterSummary(availability: Availability): { free: number; total: number; pending: number; unavailable: number } {
  const all = sumTypes(availability.gpu_types, '');
  return { free: all.free, total: all.total, pending: all.pending + availability.pending_untyped, unavailable: all.unavailable };
}

export type GpuCell = 'free' | 'used' | 'powered_down' | 'unavailable';

export interface GridNode {
  name: string;
  state: string;
  capacity: NodeCapacity;
  cells: GpuCell[];
  free: number;
}

export interface GridGroup {
  partition: string;
  gpuType: string;
  nodes: GridNode[];
  free: number;
  total: number;
}

// The cells of one node's GPUs of one type: used first, then the idle ones coloured by what
// the node's state makes of them.
export function gpuCells(total: number, used: number, capacity: NodeCapacity): GpuCell[] {
  const idleCell: GpuCell = capacity === 'up' ? 'free' : capacity;
  const busy = Math.min(Math.max(0, used), total);
  return [...Array<GpuCell>(busy).fill('used'), ...Array<GpuCell>(Math.max(0, total - busy)).fill(idleCell)];
}

// Nodes grouped by partition, then GPU type (both by name), nodes by name within a group. A
// node in two partitions appears in both; nodes without GPUs are left out, and so are
// partitions and types outside the cluster's allow-lists (when given and not empty).
export function nodeGrid(
  nodes: ClusterNode[],
  allow: { partitions?: string[] | null; gpuTypes?: string[] | null } = {},
): GridGroup[] {
  const groups = new Map<string, GridGroup>();
  for (const node of nodes) {
    const partitions = allowed(node.partitions.length ? node.partitions : ['(none)'], allow.partitions, (p) => p);
    for (const gpu of allowed(node.gpus, allow.gpuTypes, (g) => g.type)) {
      if (gpu.total <= 0) continue;
      const cells = gpuCells(gpu.total, gpu.used, node.capacity);
      const free = cells.filter((cell) => cell === 'free').length;
      for (const partition of partitions) {
        const key = `${partition}\u0000${gpu.type}`;
        let group = groups.get(key);
        if (!group) {
          group = { partition, gpuType: gpu.type, nodes: [], free: 0, total: 0 };
          groups.set(key, group);
        }
        group.nodes.push({ name: node.name, state: node.state, capacity: node.capacity, cells, free });
        group.free += free;
        group.total += gpu.total;
      }
    }
  }
  const sorted = [...groups.values()].sort(
    (a, b) => a.partition.localeCompare(b.partition) || a.gpuType.localeCompare(b.gpuType),
  );
  for (const group of sorted) group.nodes.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return sorted;
}

// Only the entries a cluster's allow-list permits (all when the list is null or empty).
export function allowed<T>(items: T[], allowList: string[] | null | undefined, name: (item: T) => string): T[] {
  if (!allowList || allowList.length === 0) return items;
  return items.filter((item) => allowList.includes(name(item)));
}
