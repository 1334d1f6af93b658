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

describe('readLocalConfig: the Pro price', () => {
  it('reads PRO_MONTHLY_PRICE_USD, the Lambda variable, and leaves the default when absent', () => {
    expect(LAMBDA_ENV.proMonthlyPriceUsd).toBe('PRO_MONTHLY_PRICE_USD');
    expect(readLocalConfig({ PRO_MONTHLY_PRICE_USD: '49.00' }).proMonthlyPriceUsd).toBe('49.00');
    expect(readLocalConfig({}).proMonthlyPriceUsd).toBeUndefined();
  });

  it('refuses an amount that is not dollars and cents', () => {
    expect(() => readLocalConfig({ PRO_MONTHLY_PRICE_USD: '29' })).toThrow();
    expect(() => readLocalConfig({ PRO_MONTHLY_PRICE_USD: '$29.00' })).toThrow();
  });
});
