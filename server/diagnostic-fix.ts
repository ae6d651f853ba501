// A quick fix travels with its diagnostic (in `Diagnostic.data`): the text that should replace
// the diagnostic's range. Code actions then need no second analysis, and a fix can never be
// applied to a range other than the one the user sees underlined.

export interface DiagnosticFix {
  /** Shown in the editor's light-bulb menu. */
  title: string;
  newText: string;
}

export interface OctetDiagnosticData {
  fix?: DiagnosticFix;
}

/**
 * The engine's messages end with `did you mean "x"?` when a name is a likely typo. When the
 * underlined text is a JSON string (a property name or an enum value), replacing it with the
 * suggestion is the fix.
 */
export function didYouMeanFix(message: string, underlinedText: string): DiagnosticFix | undefined {
  const match = /did you mean "((?:[^"\\]|\\.)*)"\?/.exec(message);
  if (match === null || !/^"(?:[^"\\]|\\.)*"$/.test(underlinedText)) return undefined;
  let suggestion: string;
  try {
    suggestion = JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return undefined;
  }
  return { title: `Change to "${suggestion}"`, newText: JSON.stringify(suggestion) };
}

export function fixOf(data: unknown): DiagnosticFix | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const fix = (data as OctetDiagnosticData).fix;
  return typeof fix?.title === 'string' && typeof fix.newText === 'string' ? fix : undefined;
}
