import { describe, expect, it } from 'vitest';
import { applyChunk, highlight, type LogState } from './logs';

const empty: LogState = { text: '', nextOffset: 0, trimmed: false };

describe('applyChunk', () => {
  it('appends chunks in order', () => {
    let state = applyChunk(empty, { offset: 0, next_offset: 6, text: 'epoch ' });
    state = applyChunk(state, { offset: 6, next_offset: 8, text: '1\n' });
    expect(state).toEqual({ text: 'epoch 1\n', nextOffset: 8, trimmed: false });
  });

  it('skips a chunk seen before and keeps only the new bytes of an overlap', () => {
    const state = applyChunk(empty, { offset: 0, next_offset: 6, text: 'héllo' });
    expect(applyChunk(state, { offset: 0, next_offset: 6, text: 'héllo' })).toBe(state);
    expect(applyChunk(state, { offset: 3, next_offset: 9, text: 'llo wó' }).text).toBe('héllo wó');
  });

  it('drops the oldest lines past the limit', () => {
    let state = applyChunk(empty, { offset: 0, next_offset: 12, text: 'aaaa\nbbbb\ncc' }, 8);
    expect(state.text).toBe('bbbb\ncc');
    expect(state.trimmed).toBe(true);
    state = applyChunk(state, { offset: 12, next_offset: 13, text: 'c' }, 8);
    expect(state.nextOffset).toBe(13);
  });
});

describe('highlight', () => {
  it('marks every case-insensitive match, and the pieces join back to the text', () => {
    const text = 'Loss: 0.5\nloss: 0.4 <b>LOSS</b>';
    const { segments, count } = highlight(text, 'loss');
    expect(count).toBe(3);
    expect(segments.filter((s) => s.match).map((s) => s.text)).toEqual(['Loss', 'loss', 'LOSS']);
    expect(segments.map((s) => s.text).join('')).toBe(text);
  });

  it('treats the query literally', () => {
    expect(highlight('a.b axb', '.').count).toBe(1);
    expect(highlight('x (1) y', '(1)').count).toBe(1);
  });

  it('gives the text as one piece without a query', () => {
    expect(highlight('abc', '')).toEqual({ segments: [{ text: 'abc', match: false }], count: 0 });
  });
});
