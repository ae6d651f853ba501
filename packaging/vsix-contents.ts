// What a platform-specific VSIX carries, and the staging folder `vsce package` runs in
// (scripts/package.mjs). The bundles in dist/ hold all of Octet's JavaScript except what esbuild
// leaves external (dist/externals.json): `vscode`, which the extension host provides, and
// onnxruntime-node, a native addon loaded from node_modules at run time. So the VSIX carries
// dist/*.js, the manifest, README, LICENSE, the manifest schema, and onnxruntime-node with
// onnxruntime-common, with only the target platform's binaries.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** vsce's `--target` names, as Node's process.platform and process.arch (onnxruntime's folder names). */
export const VSCE_TARGETS: Readonly<Record<string, { os: string; arch: string }>> = {
  'linux-x64': { os: 'linux', arch: 'x64' },
  'linux-arm64': { os: 'linux', arch: 'arm64' },
  'darwin-x64': { os: 'darwin', arch: 'x64' },
  'darwin-arm64': { os: 'darwin', arch: 'arm64' },
  'win32-x64': { os: 'win32', arch: 'x64' },
  'win32-arm64': { os: 'win32', arch: 'arm64' },
};

export const DEFAULT_TARGET = 'linux-x64';

/** A file of the staging folder: copied from `from`, or written from `content`. `to` is relative, with '/'. */
export type StagedFile = { to: string; from: string } | { to: string; content: string };

export interface VsixPlan {
  target: string;
  /** The VSIX's file name: <name>-<version>-<target>.vsix. */
  fileName: string;
  files: StagedFile[];
}

/** A module the bundles load from node_modules at run time: which of its files the VSIX needs. */
interface RuntimeModule {
  /** Files other than package.json and the platform binaries, relative to the module's folder. */
  keep: (relPath: string) => boolean;
  /** The module's own dependencies that its runtime code requires (the rest serve its install script). */
  runtimeDependencies: string[];
  /** Folder of per-platform binaries (`{os}`, `{arch}`), if any. */
  binaries?: string;
}

const RUNTIME_MODULES: Readonly<Record<string, RuntimeModule>> = {
  'onnxruntime-node': {
    keep: (p) => /^dist\/[^/]+\.js$/.test(p) || /^(README\.md|LICENSE)$/.test(p),
    // adm-zip and global-agent are used only by script/install (the CUDA download), which a VSIX
    // never runs: dist/ requires onnxruntime-common, Node's modules and its binding only.
    runtimeDependencies: ['onnxruntime-common'],
    binaries: 'bin/napi-v6/{os}/{arch}',
  },
  'onnxruntime-common': {
    // The package's "exports" sends require() to dist/cjs; the bundles only require().
    keep: (p) => (p.startsWith('dist/cjs/') && /\.(js|json)$/.test(p)) || /^(README\.md|LICENSE)$/.test(p),
    runtimeDependencies: [],
  },
};

/** Modules the host provides: never packaged. */
const HOST_MODULES = new Set(['vscode']);

/**
 * Binaries of the target's folder that nothing loads. macOS: the npm package holds
 * libonnxruntime.1.dylib and an identical libonnxruntime.<version>.dylib (a symlink in the original
 * build, copied by npm's tarball); the binding links only @rpath/libonnxruntime.1.dylib (its
 * Mach-O load commands, with @loader_path as rpath), so the versioned copy (about 44 MB) stays out.
 */
function isUnusedBinary(os: string, fileName: string): boolean {
  return os === 'darwin' && /^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(fileName);
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Every file under `dir`, relative to it, with '/'. */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? walk(path.join(dir, entry.name), rel) : entry.isFile() ? [rel] : [];
  });
}

/** The vsce targets onnxruntime-node's package holds binaries for. */
export function onnxruntimeTargets(root: string): string[] {
  const template = RUNTIME_MODULES['onnxruntime-node'].binaries!;
  return Object.entries(VSCE_TARGETS)
    .filter(([, t]) => existsSync(path.join(root, 'node_modules', 'onnxruntime-node', template.replace('{os}', t.os).replace('{arch}', t.arch))))
    .map(([name]) => name)
    .sort();
}

/**
 * The extension manifest as the VSIX carries it: no scripts (vsce would run a prepublish step),
 * no devDependencies, no bin (bin/ is not packaged); dependencies: only the modules the bundles
 * load at run time, so that `npm list --production` in the staging folder, which vsce runs to find
 * what to pack from node_modules, lists exactly those.
 */
export function vsixManifest(pkg: Record<string, unknown>, runtimeModules: string[]): Record<string, unknown> {
  const { scripts: _scripts, devDependencies: _dev, bin: _bin, private: _private, dependencies, ...rest } = pkg;
  const declared = (dependencies ?? {}) as Record<string, string>;
  const kept: Record<string, string> = {};
  for (const name of runtimeModules) {
    if (declared[name] === undefined) throw new Error(`package.json: the bundles load "${name}" at run time, but it is not in "dependencies"`);
    kept[name] = declared[name];
  }
  return { ...rest, dependencies: kept };
}

/** The modules dist/externals.json names, checked against what packaging knows how to carry. */
function bundleExternals(root: string): string[] {
  const file = path.join(root, 'dist', 'externals.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  const perBundle = readJson(file) as Record<string, string[]>;
  const names = new Set<string>();
  for (const [bundle, externals] of Object.entries(perBundle)) {
    for (const name of externals) {
      if (HOST_MODULES.has(name)) continue;
      if (RUNTIME_MODULES[name] === undefined) {
        throw new Error(`dist/${bundle} loads "${name}" from node_modules at run time, but packaging/vsix-contents.ts does not know which of its files a VSIX needs: add it to RUNTIME_MODULES`);
      }
      names.add(name);
    }
  }
  return [...names].sort();
}

/** Each runtime module, and the runtime dependencies it requires in turn. */
function withDependencies(names: string[]): string[] {
  const all = new Set<string>();
  const add = (name: string): void => {
    if (all.has(name)) return;
    const module = RUNTIME_MODULES[name];
    if (module === undefined) throw new Error(`no packaging rule for "${name}" (packaging/vsix-contents.ts, RUNTIME_MODULES)`);
    all.add(name);
    module.runtimeDependencies.forEach(add);
  };
  names.forEach(add);
  return [...all].sort();
}

function moduleFiles(root: string, name: string, target: string): StagedFile[] {
  const module = RUNTIME_MODULES[name];
  const dir = path.join(root, 'node_modules', name);
  const pkg = readJson(path.join(dir, 'package.json'));
  const dependencies = (pkg.dependencies ?? {}) as Record<string, string>;
  // The copy's package.json names only the dependencies packaged with it (npm list must find them
  // all) and drops the install script, which downloads CUDA libraries and is never run from a VSIX.
  const { scripts: _scripts, devDependencies: _dev, dependencies: _deps, ...rest } = pkg;
  const trimmed = { ...rest, dependencies: Object.fromEntries(module.runtimeDependencies.map((d) => [d, dependencies[d]])) };
  const files: StagedFile[] = [{ to: `node_modules/${name}/package.json`, content: JSON.stringify(trimmed, null, 2) + '\n' }];
  const binaries = module.binaries;
  for (const rel of walk(dir)) {
    if (rel !== 'package.json' && module.keep(rel)) files.push({ to: `node_modules/${name}/${rel}`, from: path.join(dir, rel) });
  }
  if (binaries !== undefined) {
    const { os, arch } = VSCE_TARGETS[target];
    const binDir = binaries.replace('{os}', os).replace('{arch}', arch);
    if (!existsSync(path.join(dir, binDir))) {
      throw new Error(`${name}@${String(pkg.version)} ships no binaries for ${target} (no node_modules/${name}/${binDir}); targets it ships: ${onnxruntimeTargets(root).join(', ')}`);
    }
    for (const rel of walk(path.join(dir, binDir))) {
      if (!isUnusedBinary(os, path.posix.basename(rel))) files.push({ to: `node_modules/${name}/${binDir}/${rel}`, from: path.join(dir, binDir, rel) });
    }
  }
  return files;
}

/** What the VSIX for `target` carries (no file is read beyond listings and manifests). */
export function planVsix(root: string, target: string = DEFAULT_TARGET): VsixPlan {
  if (VSCE_TARGETS[target] === undefined) {
    throw new Error(`unknown target "${target}"; one of: ${Object.keys(VSCE_TARGETS).join(', ')}`);
  }
  const pkg = readJson(path.join(root, 'package.json'));
  const topLevel = bundleExternals(root);
  const modules = withDependencies(topLevel);
  for (const required of ['README.md', 'LICENSE', '.vscodeignore']) {
    if (!existsSync(path.join(root, required))) throw new Error(`${path.join(root, required)} is missing: a VSIX needs it`);
  }
  const bundles = readdirSync(path.join(root, 'dist')).filter((f) => f.endsWith('.js')).sort();
  for (const main of ['extension.js', 'server.js', 'cli.js', 'webview.js']) {
    if (!bundles.includes(main)) throw new Error(`dist/${main} is missing: run npm run build first`);
  }
  const files: StagedFile[] = [
    { to: 'package.json', content: JSON.stringify(vsixManifest(pkg, topLevel), null, 2) + '\n' },
    ...['README.md', 'LICENSE', '.vscodeignore'].map((f) => ({ to: f, from: path.join(root, f) })),
    ...bundles.map((f) => ({ to: `dist/${f}`, from: path.join(root, 'dist', f) })),
    ...walk(path.join(root, 'schemas')).map((f) => ({ to: `schemas/${f}`, from: path.join(root, 'schemas', f) })),
    ...modules.flatMap((m) => moduleFiles(root, m, target)),
  ];
  return { target, fileName: `${String(pkg.name)}-${String(pkg.version)}-${target}.vsix`, files };
}

/** Writes the plan's files under `stageDir` (which must not exist yet or be empty). */
export function stageVsix(plan: VsixPlan, stageDir: string): void {
  if (existsSync(stageDir) && readdirSync(stageDir).length > 0) throw new Error(`staging folder ${stageDir} is not empty`);
  for (const file of plan.files) {
    const dest = path.join(stageDir, ...file.to.split('/'));
    mkdirSync(path.dirname(dest), { recursive: true });
    if ('content' in file) writeFileSync(dest, file.content);
    else copyFileSync(file.from, dest);
  }
}

/** Total bytes the plan's files take (before compression). */
export function plannedBytes(plan: VsixPlan): number {
  return plan.files.reduce((sum, f) => sum + ('content' in f ? Buffer.byteLength(f.content) : statSync(f.from).size), 0);
}
