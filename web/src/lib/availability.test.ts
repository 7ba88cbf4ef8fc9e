import { describe, expect, it } from 'vitest';
import type { Availability, ClusterNode, TypeAvailability } from '../api/types';
import { allowed, availabilityText, clusterSummary, gpuCells, nodeGrid } from './availability';

function type(partial: Partial<TypeAvailability> & { type: string }): TypeAvailability {
  return { total: 0, used: 0, free: 0, powered_down: 0, unavailable: 0, pending: 0, nodes: [], ...partial };
}

const a100 = type({ type: 'a100', total: 16, used: 10, free: 6, pending: 0, nodes: [{ name: 'a1', free: 4 }, { name: 'a2', free: 2 }] });
const h100 = type({ type: 'h100', total: 8, used: 8, free: 0, pending: 12, nodes: [] });

const availability: Availability = {
  cluster: 'della',
  queried_at: '2026-01-01T00:00:00Z',
  pending_untyped: 2,
  gpu_types: [a100, h100],
  partitions: [
    { name: 'gpu', pending_untyped: 1, gpu_types: [a100, h100] },
    { name: 'debug', pending_untyped: 0, gpu_types: [type({ type: 'a100', total: 4, used: 0, free: 4, nodes: [{ name: 'd1', free: 4 }] })] },
  ],
};

describe('availabilityText', () => {
  it('says how many are free and on how many nodes', () => {
    expect(availabilityText(availability, 'gpu', 'a100', 2, 1)).toEqual({ text: '6 free now on 2 nodes', tone: 'ok' });
  });

  it('says what the job queues behind when none are free', () => {
    expect(availabilityText(availability, 'gpu', 'h100', 1, 1)).toEqual({
      text: 'none free now (8 of 8 in use); queued behind 12 pending GPUs',
      tone: 'wait',
    });
  });

  it('says when free GPUs are spread too thin for the request', () => {
    expect(availabilityText(availability, 'gpu', 'a100', 6, 1).text).toBe('6 free now on 2 nodes, but no node has 6 free at once');
    expect(availabilityText(availability, 'gpu', 'a100', 4, 2).text).toBe('6 free now on 2 nodes, but 1 node with 4 free, 2 needed');
  });

  it('sums the types and counts untyped pending requests for any type', () => {
    expect(availabilityText(availability, 'gpu', '', 1, 1).text).toBe('6 free now on 2 nodes · 13 GPUs pending');
  });

  it('uses the partition when given and the cluster otherwise', () => {
    expect(availabilityText(availability, 'debug', 'a100', 4, 1).text).toBe('4 free now on 1 node');
    expect(availabilityText(availability, 'debug', 'h100', 1, 1)).toEqual({ text: 'no h100 GPUs in debug', tone: 'none' });
  });

  it('says when it does not know yet', () => {
    expect(availabilityText({ ...availability, queried_at: null, refreshing: true }, '', '', 1, 1)).toEqual({
      text: 'asking the cluster…',
      tone: 'unknown',
    });
    expect(availabilityText(null, '', '', 1, 1).tone).toBe('unknown');
  });

  it('mentions powered-down and unavailable GPUs', () => {
    const cold: Availability = {
      ...availability,
      partitions: [],
      gpu_types: [type({ type: 'v100', total: 4, powered_down: 4, unavailable: 2 })],
    };
    expect(availabilityText(cold, '', 'v100', 1, 1).text).toBe(
      'none free now (0 of 4 in use) · 4 powered down (booted on demand), 2 unavailable',
    );
  });
});

describe('clusterSummary', () => {
  it('adds up the types and the untyped queue', () => {
    expect(clusterSummary(availability)).toEqual({ free: 6, total: 24, pending: 14, unavailable: 0 });
  });
});

describe('nodeGrid', () => {
  const nodes: ClusterNode[] = [
    { name: 'n10', state: 'MIXED', capacity: 'up', partitions: ['gpu'], gpus: [{ type: 'a100', total: 4, used: 1 }] },
    { name: 'n2', state: 'DRAINED', capacity: 'unavailable', partitions: ['gpu', 'debug'], gpus: [{ type: 'a100', total: 2, used: 1 }] },
    { name: 'c1', state: 'IDLE', capacity: 'up', partitions: ['cpu'], gpus: [] },
    { name: 'p1', state: 'IDLE+POWERED_DOWN', capacity: 'powered_down', partitions: ['gpu'], gpus: [{ type: 'h100', total: 2, used: 0 }] },
  ];

  it('groups by partition and type, nodes in natural order, colouring idle GPUs by capacity', () => {
    const grid = nodeGrid(nodes);
    expect(grid.map((g) => `${g.partition}/${g.gpuType}`)).toEqual(['debug/a100', 'gpu/a100', 'gpu/h100']);
    const gpu = grid[1];
    expect(gpu.nodes.map((n) => n.name)).toEqual(['n2', 'n10']);
    expect(gpu.nodes[0].cells).toEqual(['used', 'unavailable']);
    expect(gpu.nodes[1].cells).toEqual(['used', 'free', 'free', 'free']);
    expect(gpu.free).toBe(3);
    expect(gpu.total).toBe(6);
    expect(grid[2].nodes[0].cells).toEqual(['powered_down', 'powered_down']);
  });

  it("leaves out partitions and types the cluster's allow-lists exclude", () => {
    const grid = nodeGrid(nodes, { partitions: ['gpu'], gpuTypes: ['a100'] });
    expect(grid.map((g) => `${g.partition}/${g.gpuType}`)).toEqual(['gpu/a100']);
    expect(nodeGrid(nodes, { partitions: [], gpuTypes: null })).toHaveLength(3);
  });

  it('never draws more used GPUs than the node has', () => {
    expect(gpuCells(2, 5, 'up')).toEqual(['used', 'used']);
  });
});

describe('allowed', () => {
  it('keeps everything without an allow-list', () => {
    expect(allowed(['a', 'b'], null, (x) => x)).toEqual(['a', 'b']);
    expect(allowed(['a', 'b'], [], (x) => x)).toEqual(['a', 'b']);
    expect(allowed(['a', 'b'], ['b'], (x) => x)).toEqual(['b']);
  });
});
