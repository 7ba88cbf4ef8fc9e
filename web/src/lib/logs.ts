// A job's log as the Job view holds it, grown by chunks of the live stream, and search.

export interface LogState {
  text: string;
  // Byte offset in the log file just past `text`.
  nextOffset: number;
  // Characters dropped from the start to keep the view bounded.
  trimmed: boolean;
}

export interface Chunk {
  offset: number;
  next_offset: number;
  text: string;
}

// The most the view keeps; older text is dropped from the start.
export const MAX_LOG_CHARS = 2_000_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The log after `chunk`. A chunk already seen (a replay after reconnecting) is skipped and an
// overlapping one contributes only its new bytes, so nothing shows twice; a chunk past a gap
// is appended as is (the bytes in between were never sent).
export function applyChunk(state: LogState, chunk: Chunk, limit = MAX_LOG_CHARS): LogState {
  if (chunk.next_offset <= state.nextOffset) return state;
  let text = chunk.text;
  if (chunk.offset < state.nextOffset) {
    const bytes = encoder.encode(chunk.text);
    text = decoder.decode(bytes.subarray(state.nextOffset - chunk.offset));
  }
  let combined = state.text + text;
  let trimmed = state.trimmed;
  if (combined.length > limit) {
    let cut = combined.length - limit;
    const newline = combined.indexOf('\n', cut);
    if (newline >= 0 && newline - cut < 10_000) cut = newline + 1;
    combined = combined.slice(cut);
    trimmed = true;
  }
  return { text: combined, nextOffset: chunk.next_offset, trimmed };
}

export interface Segment {
  text: string;
  match: boolean;
}

// `text` split into pieces that match `query` (case-insensitive, literal) and pieces that do
// not, in order; joined they give `text` back. No query: one piece.
export function highlight(text: string, query: string): { segments: Segment[]; count: number } {
  if (!query) return { segments: text ? [{ text, match: false }] : [], count: 0 };
  const haystack = text.toLowerCase();
  const needle = query.toLowerCase();
  const segments: Segment[] = [];
  let count = 0;
  let from = 0;
  // Lower-casing can change a string's length (e.g. 'İ'); then fall back to exact case.
  const sameLength = haystack.length === text.length && needle.length === query.length;
  const hay = sameLength ? haystack : text;
  const find = sameLength ? needle : query;
  for (;;) {
    const at = hay.indexOf(find, from);
    if (at < 0) break;
    if (at > from) segments.push({ text: text.slice(from, at), match: false });
    segments.push({ text: text.slice(at, at + find.length), match: true });
    count++;
    from = at + find.length;
  }
  if (from < text.length) segments.push({ text: text.slice(from), match: false });
  return { segments, count };
}
