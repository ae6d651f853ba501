// Which int8 kernel onnxruntime can be trusted with on this CPU. The flags are a hint; the
// onnxruntime backend also runs a worst-case probe, which is what finally decides.
import { readFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';

export interface CpuFeatures {
  arch: string;
  platform: string;
  model: string;
  cores: number;
  /** x86 AVX512-VNNI or AVX-VNNI; null where /proc/cpuinfo cannot be read. */
  vnni: boolean | null;
  avx2: boolean | null;
  avx512: boolean | null;
  /** AVX-512 BF16 (Cooper Lake and later): picks the PyTorch peer's OpenBLAS kernels. */
  avx512Bf16: boolean | null;
}

function cpuFlags(): Set<string> | null {
  if (platform() !== 'linux') return null;
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('flags'));
    return line ? new Set(line.split(':')[1].trim().split(/\s+/)) : null;
  } catch {
    return null;
  }
}

export function detectCpuFeatures(): CpuFeatures {
  const flags = cpuFlags();
  const has = (...names: string[]): boolean | null => (flags ? names.some((n) => flags.has(n)) : null);
  const info = cpus();
  return {
    arch: arch(),
    platform: platform(),
    model: info[0]?.model ?? 'unknown',
    cores: info.length,
    vnni: has('avx512_vnni', 'avx_vnni'),
    avx2: has('avx2'),
    avx512: has('avx512f'),
    avx512Bf16: has('avx512_bf16'),
  };
}
