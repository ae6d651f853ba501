// The manifest's JSON Schema, and an ajv validator compiled from it once per process. The schema
// file is imported (not read at run time) so it travels inside the bundle.
import Ajv, { ValidateFunction } from 'ajv';
import schemaJson from '../../schemas/octet.schema.json';

/** The schema object as written in schemas/octet.schema.json. */
export const manifestSchema: Readonly<Record<string, unknown>> = schemaJson;

export const MANIFEST_SCHEMA_ID: string = schemaJson.$id;

// Keywords that VS Code's JSON support reads for hover and completion; ajv in strict mode would
// otherwise refuse the schema as having unknown keywords.
const EDITOR_KEYWORDS = ['markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions', 'defaultSnippets'];

let compiled: ValidateFunction | undefined;

export function manifestValidator(): ValidateFunction {
  if (compiled === undefined) {
    // allErrors: report every problem at once; verbose: errors carry the failing value and
    // sub-schema, which the messages use (actual type found, did-you-mean suggestions).
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
    ajv.addVocabulary(EDITOR_KEYWORDS);
    compiled = ajv.compile(schemaJson);
  }
  return compiled;
}
