import react from '@astrojs/react';
import { defineConfig } from 'astro/config';

// Static build served from S3 through CloudFront in AWS and by the local server in `npm start`;
// `/api/*` is same-origin in both, so the dashboard needs no API base URL.
export default defineConfig({
  output: 'static',
  outDir: './dist',
  build: { format: 'directory' },
  integrations: [react()],
  devToolbar: { enabled: false },
  // A <meta> Content-Security-Policy with hashes of every script and style Astro emits (the
  // island loader is inline). CloudFront adds the origin-specific parts (connect-src) as a header.
  security: { csp: true },
  // No Markdown here; Shiki's inline styles would also conflict with the CSP.
  markdown: { syntaxHighlight: false },
  vite: {
    // The API client imports the shared contracts from ../functions/contracts.
    server: { fs: { allow: ['..'] } },
    // Bundle astro's own `cookie` (v2) into the prerender chunk: left external, it would resolve
    // from frontend/ to the hoisted cookie@0.7 that express (a local stand-in) brings.
    environments: { prerender: { resolve: { noExternal: ['cookie'] } } },
  },
});
