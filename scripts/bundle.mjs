// Bundles each entry point that exists into dist/. onnxruntime-node stays external: it is a
// native addon whose binaries are loaded from node_modules at run time. What each bundle leaves
// external (besides Node's own modules) goes to dist/externals.json, so that packaging
// (scripts/package.mjs) can check the VSIX carries every module the bundles load at run time.
import { build } from 'esbuild';
import { existsSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';

const entries = [
  { in: 'engine/cli/main.ts', out: 'cli', platform: 'node' },
  // The `octet` command (bin/octet.js): relaunches with the training allocator setting, then loads cli.js.
  { in: 'engine/cli/launcher.ts', out: 'launcher', platform: 'node' },
  { in: 'server/main.ts', out: 'server', platform: 'node' },
  // The language server's profiling child process (server/outliers/profile-process.ts).
  { in: 'server/outliers/profile-worker.ts', out: 'profile-worker', platform: 'node' },
  { in: 'client/extension.ts', out: 'extension', platform: 'node', external: ['vscode'] },
  { in: 'webview/main.ts', out: 'webview', platform: 'browser' },
];

const results = await Promise.all(
  entries
    .filter((e) => existsSync(e.in))
    .map((e) =>
      build({
        entryPoints: [e.in],
        outfile: `dist/${e.out}.js`,
        bundle: true,
        platform: e.platform,
        target: e.platform === 'node' ? 'node20' : 'es2022',
        format: e.platform === 'node' ? 'cjs' : 'iife',
        sourcemap: true,
        external: ['onnxruntime-node', ...(e.external ?? [])],
        // jsonc-parser (and vscode-json-languageservice) ship a UMD main that esbuild cannot
        // follow; their ES module entry bundles cleanly.
        mainFields: e.platform === 'node' ? ['module', 'main'] : ['browser', 'module', 'main'],
        logLevel: 'warning',
        metafile: true,
      }).then((result) => ({ bundle: `${e.out}.js`, result })),
    ),
);

const isBuiltin = (name) => name.startsWith('node:') || builtinModules.includes(name.split('/')[0]);
const externals = {};
for (const { bundle, result } of results) {
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  externals[bundle] = [...new Set(imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path))].sort();
}
writeFileSync('dist/externals.json', JSON.stringify(externals, null, 2) + '\n');
