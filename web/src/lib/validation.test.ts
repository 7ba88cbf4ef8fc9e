import { describe, expect, it } from 'vitest';
import { emptyLaunchForm } from './launch';
import { parseCount, parseMemory, parseTime, splitArguments, validateLaunch } from './validation';

describe('parseTime', () => {
  it.each([
    ['90', 90],
    ['30:30', 31],
    ['2:00:00', 120],
    ['1-12', 36 * 60],
    ['1-0:30', 24 * 60 + 30],
    ['2-00:00:01', 2 * 1440 + 1],
    [' 45 ', 45],
  ])('reads %s as %d minutes', (text, minutes) => {
    expect(parseTime(text)).toEqual({ minutes });
  });

  it.each(['', 'abc', '1:2:3:4', '1h', '-5', '1-', '2:00:00x', '1.5'])('refuses %j', (text) => {
    expect(parseTime(text)).toHaveProperty('error');
  });

  it('refuses zero and limits without end', () => {
    expect(parseTime('0')).toEqual({ error: 'The time limit must be at least one minute' });
    expect(parseTime('UNLIMITED')).toHaveProperty('error');
  });
});

describe('parseMemory', () => {
  it('normalises the unit to upper case', () => {
    expect(parseMemory('64g')).toEqual({ memory: '64G' });
    expect(parseMemory('512M')).toEqual({ memory: '512M' });
    expect(parseMemory('1000')).toEqual({ memory: '1000' });
  });

  it.each(['64GB', 'G', '1.5G', '64 G', '-1G', '64X'])('refuses %j', (text) => {
    expect(parseMemory(text)).toHaveProperty('error');
  });
});

describe('parseCount', () => {
  it('takes whole numbers at or above the minimum', () => {
    expect(parseCount('4', 'Nodes')).toEqual({ value: 4 });
    expect(parseCount('0', 'GPUs', 0)).toEqual({ value: 0 });
    expect(parseCount('0', 'Nodes')).toEqual({ error: 'Nodes must be a whole number of at least 1' });
    expect(parseCount('1.5', 'Nodes')).toHaveProperty('error');
    expect(parseCount('-2', 'Nodes')).toHaveProperty('error');
  });
});

describe('splitArguments', () => {
  it('splits as a shell does', () => {
    expect(splitArguments(`lr=0.1  model=vit\n"name=a b" 'x=$y' a\\ b`)).toEqual({
      words: ['lr=0.1', 'model=vit', 'name=a b', 'x=$y', 'a b'],
    });
    expect(splitArguments(`"db.pass=\\"q\\"" ''`)).toEqual({ words: ['db.pass="q"', ''] });
    expect(splitArguments('   ')).toEqual({ words: [] });
  });

  it('reports an unclosed quote', () => {
    expect(splitArguments("name='a b")).toHaveProperty('error');
  });
});

describe('validateLaunch', () => {
  it('accepts the empty form once a cluster is chosen', () => {
    expect(validateLaunch({ ...emptyLaunchForm, cluster: 'della' })).toEqual({});
  });

  it('names each bad field', () => {
    const errors = validateLaunch({
      ...emptyLaunchForm,
      gpus: 'four',
      nodes: '0',
      memory: '64GB',
      time: '2h',
      name: 'my run',
      qos: "hi'",
      arguments: '"oops',
    });
    expect(Object.keys(errors).sort()).toEqual(['arguments', 'cluster', 'gpus', 'memory', 'name', 'nodes', 'qos', 'time']);
    expect(errors.name).toContain('contains a space');
    expect(errors.qos).toContain('quote or backslash');
  });
});
