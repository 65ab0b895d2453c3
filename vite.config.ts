/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';

/**
 * The built page ships a Content-Security-Policy that allows only its own scripts and worker
 * (the dev server is left alone: its client injects inline scripts).
 */
function contentSecurityPolicy(): Plugin {
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    name: 'kubewire-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`),
    },
  };
}

export default defineConfig({
  plugins: [contentSecurityPolicy()],
  worker: { format: 'es' },
  server: { strictPort: true, port: 5173 },
  preview: { strictPort: true, port: 4173 },
  build: { target: 'es2022', sourcemap: true },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
