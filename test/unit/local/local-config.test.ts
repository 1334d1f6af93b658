import { describe, expect, it } from 'vitest';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { readLocalConfig } from '#local/local-config.ts';

describe('readLocalConfig', () => {
  it('reads FX_RATES_URL, the same variable as the Lambda, for the local fx-rates job', () => {
    expect(LAMBDA_ENV.fxRatesUrl).toBe('FX_RATES_URL');
    const config = readLocalConfig({ FX_RATES_URL: 'http://127.0.0.1:9999/eurofxref-daily.xml' });
    expect(config.fxRatesUrl).toBe('http://127.0.0.1:9999/eurofxref-daily.xml');
  });

  it('leaves it unset (the ECB) when absent, and refuses a value that is not a URL', () => {
    expect(readLocalConfig({}).fxRatesUrl).toBeUndefined();
    expect(() => readLocalConfig({ FX_RATES_URL: 'not a url' })).toThrow();
  });
});
