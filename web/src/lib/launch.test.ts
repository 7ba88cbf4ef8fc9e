import { describe, expect, it } from 'vitest';
import { emptyLaunchForm, resourceSummary, toLaunchRequest } from './launch';

describe('toLaunchRequest', () => {
  it('leaves empty optional fields out and normalises memory', () => {
    const request = toLaunchRequest(3, {
      ...emptyLaunchForm,
      cluster: 'della',
      partition: 'gpu',
      gpuType: 'a100',
      gpus: '4',
      nodes: '2',
      memory: '64g',
      time: '2:00:00',
      arguments: 'trainer.max_epochs=10',
      mode: 'snapshot',
    }, ['model=vit']);
    expect(request).toEqual({
      project_id: 3,
      cluster: 'della',
      partition: 'gpu',
      gpu_type: 'a100',
      gpus: 4,
      nodes: 2,
      memory: '64G',
      time: '2:00:00',
      mode: 'snapshot',
      arguments: ['trainer.max_epochs=10', 'model=vit'],
    });
  });

  it('adds the sweep settings for a multirun', () => {
    const request = toLaunchRequest(1, { ...emptyLaunchForm, cluster: 'c' }, ['lr=0.1,0.01'], {
      multirun: true,
      paired: true,
      parallelism: '2',
    });
    expect(request).toMatchObject({ multirun: true, paired: true, parallelism: 2 });
  });
});

describe('resourceSummary', () => {
  it('multiplies GPUs per node by nodes', () => {
    expect(resourceSummary({ ...emptyLaunchForm, gpuType: 'h100', gpus: '4', nodes: '2', time: '2:00:00' })).toBe(
      '8 h100 GPUs (4 × 2 nodes) · time 2:00:00',
    );
    expect(resourceSummary({ ...emptyLaunchForm, gpus: '0', time: '' })).toBe("no GPUs, 1 node · the partition's default time");
  });
});
