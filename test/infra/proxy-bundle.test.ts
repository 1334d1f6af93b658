import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledAssetDir, removeOutdirs } from './synth.ts';

// The budget is in lambda-bundles.test.ts. (Issue 12: the tokenizer for dropped streams is
// shipped beside the bundle, not in it; inlined it would add 2.8 MB.)

afterAll(removeOutdirs);

// The one infra test that really bundles (local esbuild, about 2 s).
describe('proxy bundle', () => {
  let code: string;
  let assetDir: string;

  beforeAll(() => {
    assetDir = bundledAssetDir('Metrion proxy');
    code = fs.readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
  });

  it('is an ESM bundle that starts with the createRequire banner', () => {
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
  });

  it('ships the tokenizer beside the bundle, loadable on demand, and not inside it', async () => {
    expect(code).toContain('gpt-tokenizer/encoding/o200k_base');
    const entry = path.join(assetDir, 'node_modules/gpt-tokenizer/esm/encoding/o200k_base.js');
    const encoding = (await import(entry)) as { countTokens(text: string): number };
    expect(encoding.countTokens('Hello world')).toBe(2);
    expect(fs.existsSync(`${entry}.map`)).toBe(false);
  });

  it('ships a source map without embedded sources', () => {
    const map = JSON.parse(fs.readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8'));
    expect(map.sourcesContent).toBeUndefined();
  });

  it.each(['dynalite', 'cognito-local', 'aws-ses-v2-local', 'api.stripe.com'])(
    'contains nothing of %s (local mode and billing stay out)',
    (marker) => {
      expect(code).not.toContain(marker);
    },
  );
});
