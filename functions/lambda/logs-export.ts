import { createLogsExportHandler } from '#handlers/logs-export.ts';
import { awsLogsExportConfig } from './aws-runtime.ts';
import { buildLogsExportDeps } from './logs-export.deps.ts';

export const handler = createLogsExportHandler(buildLogsExportDeps(await awsLogsExportConfig()));
