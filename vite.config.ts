import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The dashboard is built into dist/web and served by the API server; in development Vite proxies /api to it.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
})
