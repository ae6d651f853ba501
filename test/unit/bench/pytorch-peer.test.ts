import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openblasCoretype, peerEnv } from '../../../engine/bench/pytorch-peer';
import type { CpuFeatures } from '../../../engine/kernels/cpu-features';

const base: CpuFeatures = { arch: 'x64', platform: 'linux', model: 'test', cores: 2, vnni: true, avx2: true, avx512: true, avx512Bf16: true };

test('an AVX-512 CPU with BF16 gets OpenBLAS Cooperlake kernels, plain AVX-512 SkylakeX, others none', () => {
  assert.equal(openblasCoretype(base, {}), 'Cooperlake');
  assert.equal(openblasCoretype({ ...base, avx512Bf16: false }, {}), 'SkylakeX');
  assert.equal(openblasCoretype({ ...base, avx512: false, avx512Bf16: false }, {}), null);
  assert.equal(openblasCoretype({ ...base, avx512: null, avx512Bf16: null }, {}), null);
});

test('a coretype set by the person running the bench wins', () => {
  assert.equal(openblasCoretype(base, { OPENBLAS_CORETYPE: 'Haswell' }), 'Haswell');
});

test('the peer environment matches OpenMP and OpenBLAS threads, takes the same malloc setting as Octet, and keeps the rest', () => {
  const env = peerEnv(2, base, { PATH: '/bin', OMP_NUM_THREADS: '8' });
  const malloc = process.platform === 'linux' ? { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } : {};
  assert.deepEqual(env, { PATH: '/bin', OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', OPENBLAS_CORETYPE: 'Cooperlake', ...malloc });
  const plain = peerEnv(1, { ...base, avx512: false, avx512Bf16: false }, {});
  assert.equal(plain.OPENBLAS_CORETYPE, undefined);
  assert.equal(plain.OPENBLAS_NUM_THREADS, '1');
});
