// Type declarations for the vscode-languageserver family of packages. Their versions 10 / 3.18
// publish entry points only through package.json "exports", which TypeScript ignores under this
// project's `"moduleResolution": "node"`; without these lines every import from them fails to
// type-check (and their own cross-imports silently become `any`). Each entry re-exports the file
// the "exports" map names. At run time nothing changes: esbuild and Node read "exports".
// Delete this file once the project moves to `"moduleResolution": "node16"`.
declare module 'vscode-jsonrpc' {
  export * from 'vscode-jsonrpc/lib/common/api';
}
declare module 'vscode-jsonrpc/node' {
  export * from 'vscode-jsonrpc/lib/node/main';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
declare module 'vscode-languageserver' {
  export * from 'vscode-languageserver/lib/common/api';
}
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
