/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The build lands where Maven packages it: the console jar serves it from
// META-INF/resources, which the gateway (Spring MVC) serves at /.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'target/classes/META-INF/resources',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
