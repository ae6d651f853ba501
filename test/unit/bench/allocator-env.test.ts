// The allocator setting Octet's training processes start with (engine/perf/allocator-env.ts) and
// the `octet` command's relaunch that applies it (engine/cli/launcher.ts), run as real processes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { hugePageMallocActive, withHugePageMalloc } from '../../../engine/perf/allocator-env';

test('withHugePageMalloc adds glibc.malloc.hugetlb=1 on Linux, keeps other tunables, and leaves a user choice alone', () => {
  assert.equal(withHugePageMalloc({}, 'linux').GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1');
  assert.equal(withHugePageMalloc({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux').GLIBC_TUNABLES, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  assert.equal(withHugePageMalloc({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux').GLIBC_TUNABLES, 'glibc.malloc.hugetlb=0');
  assert.equal(withHugePageMalloc({ OCTET_HUGE_PAGES: '0' }, 'linux').GLIBC_TUNABLES, undefined);
  assert.equal(withHugePageMalloc({}, 'darwin').GLIBC_TUNABLES, undefined);
  const env = { PATH: '/bin' };
  assert.deepEqual(withHugePageMalloc(env, 'linux'), { PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  assert.deepEqual(env, { PATH: '/bin' }, 'the given environment is not changed');
});

test('hugePageMallocActive reads the tunable exactly', () => {
  assert.equal(hugePageMallocActive({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }), true);
  assert.equal(hugePageMallocActive({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1' }), true);
  assert.equal(hugePageMallocActive({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }), false);
  assert.equal(hugePageMallocActive({}), false);
});

const BIN = path.resolve(__dirname, '../../../../bin/octet.js');

/** Runs `node bin/octet.js args` with a preload that logs every Node process it starts. */
function runOctet(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; processes: Array<{ relaunched: string | null; tunables: string | null }> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'octet-launcher-'));
  try {
    const log = path.join(dir, 'processes.jsonl');
    const preload = path.join(dir, 'preload.js');
    writeFileSync(preload, `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ relaunched: process.env.OCTET_RELAUNCHED ?? null, tunables: process.env.GLIBC_TUNABLES ?? null }) + '\\n');\n`);
    const clean = { ...process.env };
    delete clean.GLIBC_TUNABLES;
    delete clean.OCTET_RELAUNCHED;
    delete clean.OCTET_HUGE_PAGES;
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...clean, ...env, NODE_OPTIONS: `--require ${preload}` }, timeout: 60_000 });
    const processes = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { relaunched: string | null; tunables: string | null });
    return { status: r.status, stdout: r.stdout, processes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('`octet` relaunches once with the tunable on Linux (in place elsewhere) and passes the exit code through', () => {
  const ok = runOctet(['--help'], {});
  assert.equal(ok.status, 0);
  assert.match(ok.stdout, /Usage: octet/);
  const relaunched = { relaunched: '1', tunables: 'glibc.malloc.hugetlb=1' };
  assert.deepEqual(ok.processes, [{ relaunched: null, tunables: null }, ...(process.platform === 'linux' ? [relaunched] : [])]);
  assert.equal(runOctet(['--no-such-option'], {}).status, 1, 'a failing command fails the same through the relaunch');
});

test('`octet` runs in place when the tunable is already set or turned off', () => {
  assert.deepEqual(runOctet(['--help'], { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }).processes, [{ relaunched: null, tunables: 'glibc.malloc.hugetlb=1' }]);
  assert.deepEqual(runOctet(['--help'], { OCTET_HUGE_PAGES: '0' }).processes, [{ relaunched: null, tunables: null }]);
});
