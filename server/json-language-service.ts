// vscode-json-languageservice set up for octet.json: our schema associated by file name, JSON
// syntax as strict as the engine's (no comments, no trailing commas), schema problems as errors
// (the CLI refuses such a manifest). It provides syntax/schema diagnostics, and completion and
// hover from the schema's descriptions.
import {
  type ClientCapabilities,
  type Diagnostic,
  type JSONDocument,
  type LanguageService,
  getLanguageService,
} from 'vscode-json-languageservice';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { MANIFEST_SCHEMA_FILE_NAME, MANIFEST_SCHEMA_URI, manifestSchemaText } from './schema-file';

export interface ManifestJsonService {
  readonly service: LanguageService;
  /** Parses `doc`, reusing the previous parse while the document version is unchanged. */
  parse(doc: TextDocument): JSONDocument;
  validate(doc: TextDocument): Promise<Diagnostic[]>;
}

export function createManifestJsonService(log: (message: string) => void, clientCapabilities?: ClientCapabilities): ManifestJsonService {
  const service = getLanguageService({
    clientCapabilities,
    // The daemon never fetches schemas from the network or reads arbitrary files: a `$schema`
    // naming Octet's schema (e.g. ./node_modules/octet/schemas/octet.schema.json) gets ours,
    // anything else is refused (and reported as an unloadable schema).
    schemaRequestService: async (uri) => {
      if (uri === MANIFEST_SCHEMA_URI || uri.endsWith(`/${MANIFEST_SCHEMA_FILE_NAME}`)) return manifestSchemaText(log);
      throw new Error(`the Octet language server only loads Octet's own schema, not ${uri}`);
    },
    workspaceContext: {
      resolveRelativePath: (relativePath, resource) => new URL(relativePath, resource).toString(),
    },
  });
  service.configure({
    validate: true,
    allowComments: false,
    schemas: [{ uri: MANIFEST_SCHEMA_URI, fileMatch: ['octet.json', '*.octet.json'] }],
  });

  let last: { uri: string; version: number; json: JSONDocument } | undefined;
  const parse = (doc: TextDocument): JSONDocument => {
    if (last?.uri === doc.uri && last.version === doc.version) return last.json;
    const json = service.parseJSONDocument(doc);
    last = { uri: doc.uri, version: doc.version, json };
    return json;
  };
  return {
    service,
    parse,
    validate: async (doc) =>
      service.doValidation(doc, parse(doc), { comments: 'error', trailingCommas: 'error', schemaValidation: 'error' }),
  };
}
