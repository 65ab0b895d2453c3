/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

export default defineConfig({
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
