export { AdamW, defaultNoDecay } from './adamw';
export type { AdamWOptions, AdamWState, OptimParam, ParamGroupInfo } from './adamw';
export { LinearWarmupDecaySchedule, linearWarmupDecayFactor, resolveWarmupSteps } from './schedule';
export type { LinearScheduleOptions, ScheduleState } from './schedule';
export { clipGradNorm, globalGradNorm } from './clip';
export type { ClipOptions } from './clip';
