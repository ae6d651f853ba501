// A tiny Octet project (tiny-project.ts) whose model carries SYNTHETIC planted outliers
// (engine/fixtures/plant-outliers.ts) in `dims`, with its manifest pointing at that model.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { plantOutliersInFolder } from '../../engine/fixtures/plant-outliers-folder';
import { createTinyProject, type TinyProject } from './tiny-project';

export const PLANTED_DIMS = [5, 17];
export const PLANTED_GAIN = 20;

export interface PlantedProject extends TinyProject {
  /** The manifest using the planted model (manifestPath uses the original). */
  plantedManifestPath: string;
  plantedModelDir: string;
}

export async function createPlantedProject(manifestOverrides: Record<string, unknown> = {}, opts: { trainRows?: number; evalRows?: number; seed?: number } = {}): Promise<PlantedProject> {
  const p = await createTinyProject(manifestOverrides, opts);
  const plantedModelDir = path.join(p.dir, 'planted-model');
  await plantOutliersInFolder(p.modelDir, plantedModelDir, { dims: PLANTED_DIMS, gain: PLANTED_GAIN });
  const manifest = JSON.parse(readFileSync(p.manifestPath, 'utf8')) as Record<string, unknown>;
  const plantedManifestPath = path.join(p.dir, 'planted.octet.json');
  writeFileSync(plantedManifestPath, JSON.stringify({ ...manifest, model: 'planted-model', output: 'runs/planted' }, null, 2));
  return { ...p, plantedManifestPath, plantedModelDir };
}
