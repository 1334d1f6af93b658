import { createSettingsHandler } from '#handlers/settings.ts';
import { awsSettingsConfig } from './aws-runtime.ts';
import { buildSettingsDeps } from './settings.deps.ts';

export const handler = createSettingsHandler(buildSettingsDeps(await awsSettingsConfig()));
