import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/**
 * Serves the built dashboard the way CloudFront + S3 do in AWS: `/settings/token` maps to
 * `settings/token/index.html`; anything outside `root` or missing is a 404.
 */
export function serveStaticFiles(root: string) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
    } catch {
      // A malformed percent-encoding (`/%E0%A4%A`) is the client's mistake, as in CloudFront.
      response
        .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Bad request: the path has a malformed percent-encoding.');
      return;
    }
    const relative = normalize(pathname).replace(/^([/\\])+/, '');
    const base = join(root, relative);
    if (base !== root && !base.startsWith(root + sep)) {
      response.writeHead(404).end();
      return;
    }
    const candidates = [base, join(base, 'index.html'), `${base}.html`];
    for (const candidate of candidates) {
      if (await isFile(candidate)) {
        response.writeHead(200, {
          'content-type': CONTENT_TYPES[extname(candidate)] ?? 'application/octet-stream',
          'cache-control': 'no-cache',
        });
        createReadStream(candidate).pipe(response);
        return;
      }
    }
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
  };
}
