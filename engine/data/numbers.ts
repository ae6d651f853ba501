// Strict decimal parsing for labels. Number() alone accepts "", " ", "0x10" and "Infinity",
// each of which in a label column means the file (or the column choice) is wrong.

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** True for plain decimal numbers such as "0", "-1", "2.5", "1e-3" (surrounding spaces allowed). */
export function looksNumeric(text: string): boolean {
  return DECIMAL.test(text.trim());
}

/** The finite number the text spells, or undefined when it is not a plain decimal or overflows. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
