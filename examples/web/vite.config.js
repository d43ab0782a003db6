// A plain object (no `import from 'vite'`), so the config loads wherever the vite CLI comes from.
/** @type {import('vite').UserConfig} */
export default {
  // Relative asset URLs: dist/ can be served from any path (GitHub Pages, a subfolder, file servers).
  base: './',
  // The calibration worker imports riskwasm; ES-module workers keep the code-split chunks and
  // `import.meta.url` (iife workers cannot code-split).
  worker: { format: 'es' },
  // Dev server: the sample data comes from the repository's data/ folder and riskwasm is linked to
  // the repository root (`file:../..`), both two levels up.
  server: { fs: { allow: ['../..'] } },
  build: { target: 'es2022', chunkSizeWarningLimit: 2500 },
};
