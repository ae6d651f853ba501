// The JSON parsers the server uses (jsonc-parser, vscode-json-languageservice, the engine's)
// recurse once per nesting level and overflow the stack somewhere past a few thousand levels.
// No manifest nests deeper than five; a pasted blob or a runaway edit can. This linear scan
// spots such text first, so features can decline politely instead of failing with a RangeError.

/** Deeper than any manifest, well below where the parsers overflow. */
export const MAX_NESTING = 1000;

/** Offset of the bracket that goes past MAX_NESTING levels, or undefined when the text is shallow enough. */
export function excessiveNestingAt(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */ || c === 0x0a /* unterminated string ends at the line */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
