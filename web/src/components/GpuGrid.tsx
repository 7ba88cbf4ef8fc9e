// GPU availability as a picture: per partition and GPU type, each node a box of small squares,
// one per GPU, coloured free / used / powered down / unavailable.
import type { Cluster, ClusterNode } from '../api/types';
import { nodeGrid, type GpuCell } from '../lib/availability';
import { Empty } from './Status';

export const cellClasses: Record<GpuCell, string> = {
  free: 'bg-emerald-500',
  used: 'bg-sky-700',
  powered_down: 'bg-slate-300',
  unavailable: 'bg-rose-400 bg-[repeating-linear-gradient(45deg,transparent,transparent_2px,rgba(255,255,255,.5)_2px,rgba(255,255,255,.5)_4px)]',
};

const cellLabels: Record<GpuCell, string> = {
  free: 'free',
  used: 'in use',
  powered_down: 'powered down (booted on demand)',
  unavailable: 'unavailable (down, drained, …)',
};

export function GpuLegend() {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" data-testid="gpu-legend">
      {(Object.keys(cellLabels) as GpuCell[]).map((cell) => (
        <li key={cell} className="flex items-center gap-1">
          <span className={`inline-block h-3 w-3 rounded-sm ${cellClasses[cell]}`} />
          {cellLabels[cell]}
        </li>
      ))}
    </ul>
  );
}

export function GpuGrid({ nodes, cluster }: { nodes: ClusterNode[]; cluster?: Cluster }) {
  const groups = nodeGrid(nodes, { partitions: cluster?.allowed_partitions, gpuTypes: cluster?.allowed_gpu_types });
  if (groups.length === 0) return <Empty testId="gpu-grid-empty">No nodes with GPUs.</Empty>;
  return (
    <div className="space-y-4" data-testid="gpu-grid">
      {groups.map((group) => (
        <div key={`${group.partition}/${group.gpuType}`} data-testid={`gpu-group-${group.partition}-${group.gpuType}`}>
          <h3 className="mb-1 text-sm font-semibold">
            <span className="font-mono">{group.partition}</span> · <span className="font-mono">{group.gpuType}</span>{' '}
            <span className="font-normal text-slate-500">
              {group.free} of {group.total} free on {group.nodes.length} node{group.nodes.length === 1 ? '' : 's'}
            </span>
          </h3>
          <div className="flex flex-wrap gap-2">
            {group.nodes.map((node) => (
              <div
                key={node.name}
                className={`rounded border px-1.5 py-1 ${node.capacity === 'up' ? 'border-slate-200 bg-white' : 'border-dashed border-slate-300 bg-slate-50'}`}
                data-testid={`cluster-node-${node.name}`}
                data-partition={group.partition}
                data-capacity={node.capacity}
                title={`${node.name}: ${node.state}, ${node.free} free of ${node.cells.length}`}
              >
                <div className="max-w-[7rem] truncate font-mono text-[10px] text-slate-600">{node.name}</div>
                <div className="mt-0.5 grid grid-cols-4 gap-0.5">
                  {node.cells.map((cell, index) => (
                    <span key={index} className={`block h-3 w-3 rounded-sm ${cellClasses[cell]}`} data-testid="gpu-cell" data-state={cell} />
                  ))}
                </div>
              </div>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
