#!/usr/bin/env node
// Packages the extension as a platform-specific VSIX that carries only that platform's
// onnxruntime binaries (what goes in: packaging/vsix-contents.ts).
//
//   npm run package                                  # linux-x64, into dist-vsix/
//   npm run package -- --target darwin-arm64         # or linux-arm64, win32-x64, win32-arm64
//   node scripts/package.mjs --target T --out DIR --keep-stage
//
// Needs `npm run build` first (npm run package does it). vsce runs in a staging folder, not the
// repository root: the root's node_modules holds every platform's binaries and the dev tools.
// When the target is this machine's platform, the staged bundles load onnxruntime from the
// staging folder before vsce packs it, so a VSIX whose onnxruntime cannot load is never written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function contents() {
  try {
    return require(path.join(root, 'out', 'packaging', 'vsix-contents.js'));
  } catch (e) {
    throw new Error(`out/packaging/vsix-contents.js could not be loaded (run npm run build first): ${e.message}`);
  }
}

/** Loads onnxruntime-node the way dist/cli.js does, from the staged dist/, and checks it came from the stage. */
function checkStagedRuntime(stage) {
  const run = (args, cwd) => {
    try {
      return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const reason = String(e.stderr ?? '').split('\n').find((l) => /^\w*Error/.test(l)) ?? e.message;
      throw new Error(`the staged extension fails to run \`node ${args.join(' ')}\` in ${cwd}: ${reason}`);
    }
  };
  const resolved = run(['-e', `const p = require.resolve('onnxruntime-node'); require(p); process.stdout.write(p);`], path.join(stage, 'dist'));
  if (!resolved.startsWith(stage + path.sep)) throw new Error(`the staged bundles resolved onnxruntime-node outside the staging folder: ${resolved}`);
  run([path.join(stage, 'dist', 'cli.js'), '--help'], stage);
}

/**
 * Builds the VSIX for `target` into `outDir`. Returns its path, size in bytes and file count.
 * `log` gets vsce's output and progress lines.
 */
export function packageVsix({ target, outDir = path.join(root, 'dist-vsix'), keepStage = false, log = (line) => console.log(line) } = {}) {
  const { planVsix, stageVsix, plannedBytes, DEFAULT_TARGET } = contents();
  const plan = planVsix(root, target ?? DEFAULT_TARGET);
  const stage = mkdtempSync(path.join(os.tmpdir(), `octet-vsix-${plan.target}-`));
  try {
    stageVsix(plan, stage);
    log(`staged ${plan.files.length} files (${(plannedBytes(plan) / 1e6).toFixed(1)} MB) for ${plan.target} in ${stage}`);
    if (plan.target === `${process.platform}-${process.arch}`) {
      checkStagedRuntime(stage);
      log('the staged bundles load onnxruntime-node from the staging folder');
    }
    mkdirSync(outDir, { recursive: true });
    const vsixPath = path.join(path.resolve(outDir), plan.fileName);
    rmSync(vsixPath, { force: true });
    const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
    // --allow-missing-repository: the project is not published from a public repository (vsce would ask).
    const output = execFileSync(process.execPath, [vsce, 'package', '--target', plan.target, '--allow-missing-repository', '--out', vsixPath], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    output.split('\n').filter((l) => l.trim() !== '').forEach((l) => log(l));
    const bytes = statSync(vsixPath).size;
    return { vsixPath, bytes, files: plan.files.length, target: plan.target };
  } finally {
    if (keepStage) log(`kept ${stage}`);
    else rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' }, 'keep-stage': { type: 'boolean', default: false } } });
  try {
    const result = packageVsix({ target: values.target, outDir: values.out, keepStage: values['keep-stage'] });
    console.log(`${path.relative(process.cwd(), result.vsixPath)}: ${(result.bytes / 2 ** 20).toFixed(1)} MiB (${result.bytes} bytes), ${result.files} files staged, target ${result.target}`);
  } catch (e) {
    console.error(`package: ${e.stderr ? `${e.message}\n${e.stderr}` : e.message}`);
    process.exit(1);
  }
}
