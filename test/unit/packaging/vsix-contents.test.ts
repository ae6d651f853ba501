// What a platform-specific VSIX carries: the target's onnxruntime binaries and no other
// platform's, a manifest vsce can pack, and a staging folder whose bundles load onnxruntime from
// the staging folder itself (this is what the installed extension does). vsce itself runs in
// npm run test:vsix, which also installs the VSIX into VS Code.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { onnxruntimeTargets, planVsix, stageVsix, VSCE_TARGETS, vsixManifest } from '../../../packaging/vsix-contents';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const BIN = 'node_modules/onnxruntime-node/bin/';
const binaries = (target: string): string[] => planVsix(root, target).files.map((f) => f.to).filter((f) => f.startsWith(BIN)).sort();
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

describe('VSIX contents', () => {
  it('knows the platforms onnxruntime-node 1.30.0 ships binaries for (no Intel macOS)', () => {
    assert.equal((JSON.parse(readFileSync(path.join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as { version: string }).version, '1.30.0');
    assert.deepEqual(onnxruntimeTargets(root), ['darwin-arm64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
  });

  it('linux-x64 carries the linux x64 binding and runtime, and no other platform\'s binaries', () => {
    assert.deepEqual(binaries('linux-x64'), [`${BIN}napi-v6/linux/x64/libonnxruntime.so.1`, `${BIN}napi-v6/linux/x64/onnxruntime_binding.node`]);
  });

  it('each shipped target carries only its own folder; macOS leaves out the duplicate versioned dylib', () => {
    for (const target of onnxruntimeTargets(root)) {
      const { os: platform, arch } = VSCE_TARGETS[target];
      const files = binaries(target);
      assert.ok(files.includes(`${BIN}napi-v6/${platform}/${arch}/onnxruntime_binding.node`), `${target}: ${files.join(', ')}`);
      assert.deepEqual(files.filter((f) => !f.startsWith(`${BIN}napi-v6/${platform}/${arch}/`)), [], target);
    }
    assert.deepEqual(binaries('darwin-arm64'), [`${BIN}napi-v6/darwin/arm64/libonnxruntime.1.dylib`, `${BIN}napi-v6/darwin/arm64/onnxruntime_binding.node`]);
    assert.deepEqual(binaries('win32-x64').map((f) => path.posix.basename(f)), ['DirectML.dll', 'dxcompiler.dll', 'dxil.dll', 'onnxruntime.dll', 'onnxruntime_binding.node']);
  });

  it('refuses a target onnxruntime does not ship, and an unknown one, naming what exists', () => {
    assert.throws(() => planVsix(root, 'darwin-x64'), /ships no binaries for darwin-x64 .*targets it ships: darwin-arm64, linux-arm64, linux-x64, win32-arm64, win32-x64/);
    assert.throws(() => planVsix(root, 'linux-x86'), /unknown target "linux-x86"; one of: linux-x64/);
  });

  it('carries the bundles, the schema, README and LICENSE, and none of the source maps, sources or dev tools', () => {
    const files = planVsix(root, 'linux-x64').files.map((f) => f.to);
    for (const f of ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'dist/extension.js', 'dist/server.js', 'dist/cli.js', 'dist/webview.js', 'schemas/octet.schema.json', 'node_modules/onnxruntime-node/dist/index.js', 'node_modules/onnxruntime-common/dist/cjs/index.js']) {
      assert.ok(files.includes(f), f);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.endsWith('.ts') || f.startsWith('node_modules/onnxruntime-node/script/')), []);
    assert.deepEqual([...new Set(files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1]))].sort(), ['onnxruntime-common', 'onnxruntime-node']);
    assert.equal(planVsix(root, 'linux-x64').fileName, `octet-${String(pkg.version)}-linux-x64.vsix`);
  });

  it('the packaged manifest keeps what VS Code reads and drops scripts, dev dependencies and bundled dependencies', () => {
    const manifest = vsixManifest(pkg, ['onnxruntime-node']);
    for (const key of ['name', 'publisher', 'version', 'main', 'engines', 'activationEvents', 'contributes', 'extensionKind', 'capabilities', 'license']) assert.deepEqual(manifest[key], pkg[key], key);
    for (const key of ['scripts', 'devDependencies', 'bin', 'private']) assert.equal(manifest[key], undefined, key);
    assert.deepEqual(manifest.dependencies, { 'onnxruntime-node': (pkg.dependencies as Record<string, string>)['onnxruntime-node'] });
    assert.throws(() => vsixManifest(pkg, ['left-pad']), /load "left-pad" at run time, but it is not in "dependencies"/);
  });

  // Staged for the machine the test runs on (linux-x64 here and in CI), so its binaries can load.
  const hostTarget = `${process.platform}-${process.arch}`;
  it(`a staged ${hostTarget} folder loads onnxruntime from itself and runs the CLI`, () => {
    const stage = mkdtempSync(path.join(os.tmpdir(), 'octet-vsix-test-'));
    try {
      const plan = planVsix(root, hostTarget);
      stageVsix(plan, stage);
      const staged = JSON.parse(readFileSync(path.join(stage, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(staged.dependencies, { 'onnxruntime-common': '1.30.0' });
      assert.equal(staged.scripts, undefined, 'no install script');
      // Resolved from dist/, the way dist/cli.js requires it; loading it loads the native binding.
      const script = `const p = require.resolve('onnxruntime-node'); const ort = require(p); process.stdout.write(JSON.stringify([p, typeof ort.InferenceSession.create]));`;
      const [resolved, create] = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: path.join(stage, 'dist'), encoding: 'utf8' })) as [string, string];
      assert.equal(resolved, path.join(stage, 'node_modules', 'onnxruntime-node', 'dist', 'index.js'));
      assert.equal(create, 'function');
      const help = execFileSync(process.execPath, [path.join(stage, 'dist', 'cli.js'), '--help'], { encoding: 'utf8' });
      assert.match(help, /train/);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });
});
