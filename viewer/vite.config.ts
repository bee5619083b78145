import { defineConfig } from 'vite';

// Built into the server's wwwroot/app, which the server serves at /app (and app/index.html at /).
// Asset names carry a content hash, so the server lets browsers cache them for good.
export default defineConfig({
  base: '/app/',
  build: {
    outDir: '../src/SpatialReadiness.Server/wwwroot/app',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // `npx vite` for development: the API from a server started with tools/run.
    proxy: Object.fromEntries(['/api', '/tiles', '/styles', '/ogc'].map((p) => [p, 'http://127.0.0.1:5080'])),
  },
});
