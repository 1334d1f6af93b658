import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '#contracts/api-routes.ts';
import { createApiRouter } from '#handlers/http/api-router.ts';

const route = createApiRouter(API_ROUTES);

describe('createApiRouter over API_ROUTES', () => {
  it.each(Object.entries(API_ROUTES))(
    'matches %s at its own method and path',
    (name, definition) => {
      const path = definition.path.replace('{provider}', 'openai');
      expect(route(definition.method, path)).toMatchObject({ kind: 'matched', name });
    },
  );

  it('decodes path parameters', () => {
    expect(route('DELETE', '/api/settings/providers/open%61i')).toEqual({
      kind: 'matched',
      name: 'deleteProviderKey',
      params: { provider: 'openai' },
    });
  });

  it('lists the allowed methods of a known path', () => {
    expect(route('POST', '/api/settings/providers/openai')).toEqual({
      kind: 'method_not_allowed',
      allowedMethods: ['PUT', 'DELETE'],
    });
  });

  it.each([
    '/api/settings/providers/',
    '/api/settings/providers/openai/extra',
    '/api/settings/providers/%E0%A4%A',
    '/api/me/',
    '/api//me',
    '/API/me',
    '/api/proxy/openai/v1/chat/completions',
  ])('does not match %s', (path) => {
    expect(route('GET', path).kind).toBe('not_found');
  });
});
