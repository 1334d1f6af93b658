import { createSweepTracesHandler } from '#handlers/sweep-traces.ts';
import { awsSweepTracesConfig } from './aws-runtime.ts';
import { buildSweepTracesDeps } from './sweep-traces.deps.ts';

export const handler = createSweepTracesHandler(buildSweepTracesDeps(await awsSweepTracesConfig()));
