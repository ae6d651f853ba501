// The environment a training process should start with: glibc's malloc asked to back its large
// blocks with transparent huge pages (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, glibc 2.35+).
//
// Why: onnxruntime-node 1.30 copies every graph output into a fresh, zero-filled ArrayBuffer (it
// imports napi_create_arraybuffer, not the external variant), about 630 MB a step for BERT-mini
// at batch 32 x 128. With 4 KiB pages that is ~30,000 page faults a step, 100-200 ms of kernel
// time on two cores; with huge pages it is ~100 faults, and the step measured 6-16% faster in
// three interleaved rounds (bench train). glibc reads the setting only when a process starts, so
// it is applied where Octet starts its training processes (job, comparison and benchmark
// children, the `octet` command), not inside a running one.
//
// OCTET_HUGE_PAGES=0 turns it off; a GLIBC_TUNABLES that already names glibc.malloc.hugetlb is
// the user's choice and is left alone. Elsewhere than Linux the environment passes unchanged.

const TUNABLE = 'glibc.malloc.hugetlb';

/** `env` with the huge-page tunable added (a copy; `env` itself is not changed). */
export function withHugePageMalloc(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (platform !== 'linux' || env.OCTET_HUGE_PAGES === '0') return { ...env };
  const current = env.GLIBC_TUNABLES ?? '';
  if (current.includes(`${TUNABLE}=`)) return { ...env };
  return { ...env, GLIBC_TUNABLES: current === '' ? `${TUNABLE}=1` : `${current}:${TUNABLE}=1` };
}

/** Whether this process started with the tunable on (recorded next to benchmark numbers). */
export function hugePageMallocActive(env: NodeJS.ProcessEnv = process.env): boolean {
  return /(^|:)glibc\.malloc\.hugetlb=[12]($|:)/.test(env.GLIBC_TUNABLES ?? '');
}
