import { describe, expect, it } from 'vitest';
import type { GroupInfo, HydraConfig } from '../api/types';
import { buildOverrides, emptyHydraForm, flattenConfig, renderString, renderValue, typedValue } from './overrides';

const config: HydraConfig['config'] = {
  model: { name: 'resnet', depth: 50 },
  optim: { lr: 0.001, momentum: 1, nesterov: false },
  data: { path: '/data/imagenet', augment: ['flip', 'crop'], extra: {} },
  seed: null,
  tag: '1',
  max_time: { float: 'inf' },
};
const types: HydraConfig['types'] = {
  'model.name': 'str',
  'model.depth': 'int',
  'optim.lr': 'float',
  'optim.momentum': 'float',
  'optim.nesterov': 'bool',
  'data.path': 'str',
  'data.augment': 'list',
  'data.extra': 'dict',
  seed: 'null',
  tag: 'str',
  max_time: 'float',
};
const groups: GroupInfo[] = [
  { name: 'model', options: ['resnet', 'vit'], default: 'resnet' },
  { name: 'logger', options: ['wandb', 'csv'], default: null },
];
const leaves = flattenConfig(config, types);

describe('flattenConfig', () => {
  it('lists leaves by dotted key with the text a form shows', () => {
    expect(leaves.map((leaf) => [leaf.key, leaf.text])).toEqual([
      ['model.name', 'resnet'],
      ['model.depth', '50'],
      ['optim.lr', '0.001'],
      ['optim.momentum', '1.0'],
      ['optim.nesterov', 'false'],
      ['data.path', '/data/imagenet'],
      ['data.augment', '[flip,crop]'],
      ['data.extra', '{}'],
      ['seed', 'null'],
      ['tag', '1'],
      ['max_time', 'inf'],
    ]);
  });
});

describe('renderString', () => {
  it('quotes what would read back as something else', () => {
    expect(renderString('resnet')).toBe('resnet');
    expect(renderString('/data/x-1.txt')).toBe('/data/x-1.txt');
    expect(renderString('1')).toBe("'1'");
    expect(renderString('True')).toBe("'True'");
    expect(renderString('a b')).toBe("'a b'");
    expect(renderString('x,y')).toBe("'x,y'");
    expect(renderString("it's")).toBe("'it\\'s'");
    expect(renderString('end\\')).toBe("'end\\\\'");
    expect(renderString('')).toBe("''");
  });

  it('renders nested values in Hydra syntax', () => {
    expect(renderValue({ a: [1, 'b c'], f: 2 }, 'dict')).toBe("{a:[1,'b c'],f:2}");
  });
});

describe('typedValue', () => {
  it('checks the value against the leaf type', () => {
    expect(typedValue('12', 'int')).toEqual({ value: '12' });
    expect(typedValue('1.5', 'int')).toEqual({ error: 'must be a whole number' });
    expect(typedValue('1e-4', 'float')).toEqual({ value: '1e-4' });
    expect(typedValue('fast', 'float')).toHaveProperty('error');
    expect(typedValue('True', 'bool')).toEqual({ value: 'true' });
    expect(typedValue('maybe', 'bool')).toHaveProperty('error');
    expect(typedValue('a b', 'str')).toEqual({ value: "'a b'" });
  });
});

describe('buildOverrides', () => {
  it('writes nothing for an untouched form or values typed back to the default', () => {
    expect(buildOverrides(groups, leaves, emptyHydraForm)).toEqual({ overrides: [], errors: {}, sweep: false });
    const same = { ...emptyHydraForm, groups: { model: ['resnet'] }, values: { 'model.depth': ' 50 ', 'optim.momentum': '1.0' } };
    expect(buildOverrides(groups, leaves, same).overrides).toEqual([]);
  });

  it('writes only changed values, typed', () => {
    const form = {
      ...emptyHydraForm,
      groups: { model: ['vit'], logger: ['wandb'] },
      values: { 'model.depth': '101', 'optim.lr': '0.01', 'model.name': 'vit b', tag: '1', 'optim.nesterov': 'true' },
    };
    expect(buildOverrides(groups, leaves, form)).toEqual({
      overrides: ['model=vit', '+logger=wandb', "model.name='vit b'", 'model.depth=101', 'optim.lr=0.01', 'optim.nesterov=true'],
      errors: {},
      sweep: false,
    });
  });

  it('turns several group options and comma lists into sweeps', () => {
    const form = {
      ...emptyHydraForm,
      groups: { model: ['resnet', 'vit'] },
      values: { 'optim.lr': '0.1,0.01', 'data.path': '/a,/b' },
      sweeps: { 'data.path': true },
    };
    expect(buildOverrides(groups, leaves, form)).toEqual({
      overrides: ['model=resnet,vit', 'optim.lr=0.1,0.01', 'data.path=/a,/b'],
      errors: {},
      sweep: true,
    });
  });

  it('adds and deletes keys, and deleted keys drop their edits', () => {
    const form = {
      ...emptyHydraForm,
      values: { seed: '7' },
      added: [{ key: 'trainer.precision', value: 'bf16' }],
      deleted: ['seed'],
    };
    expect(buildOverrides(groups, leaves, form).overrides).toEqual(['+trainer.precision=bf16', '~seed']);
  });

  it('reports bad values by key', () => {
    const form = { ...emptyHydraForm, values: { 'model.depth': 'deep' }, added: [{ key: '1bad', value: 'x' }, { key: 'ok', value: '' }] };
    const built = buildOverrides(groups, leaves, form);
    expect(built.overrides).toEqual([]);
    expect(built.errors).toEqual({
      'model.depth': 'model.depth must be a whole number',
      'added:0': "'1bad' is not a config key (write e.g. trainer.seed)",
      'added:1': '+ok needs a value',
    });
  });
});
