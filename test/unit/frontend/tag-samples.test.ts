import { describe, expect, it } from 'vitest';
import { TAG_SAMPLE_KINDS, tagSample } from '../../../frontend/src/lib/tag-samples.ts';

const INPUT = {
  openaiBaseUrl: 'https://metrion.example/api/proxy/openai/v1',
  anthropicBaseUrl: 'https://metrion.example/api/proxy',
  metrionKey: 'sk-metrion-0123456789abcdef0123456789abcdef',
};

describe('tag samples', () => {
  it.each(TAG_SAMPLE_KINDS)(
    '%s: the key, the right base URL and an x-metrion-tag header',
    (kind) => {
      const code = tagSample(kind, INPUT);
      expect(code).toContain(INPUT.metrionKey);
      expect(code).toContain(kind === 'anthropic' ? INPUT.anthropicBaseUrl : INPUT.openaiBaseUrl);
      expect(code).toMatch(/x-metrion-tag-[a-z]+['"]?: ['"]?[a-z0-9-]+/);
    },
  );

  it('uses each SDK’s own way to send headers and to name the end user', () => {
    expect(tagSample('openai-request', INPUT)).toMatch(/\{ headers: \{ 'x-metrion-tag-feature'/);
    expect(tagSample('openai-request', INPUT)).toContain("user: 'customer-42'");
    expect(tagSample('openai-default', INPUT)).toContain('defaultHeaders:');
    expect(tagSample('anthropic', INPUT)).toContain("metadata: { user_id: 'customer-42' }");
    expect(tagSample('ai-sdk', INPUT)).toMatch(/generateText\(\{[\s\S]*headers: \{/);
    expect(tagSample('curl', INPUT)).toContain(`curl ${INPUT.openaiBaseUrl}/chat/completions`);
  });
});
