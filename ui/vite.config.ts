/// <reference types="vitest/config" />
// Vite config for the zongwu desktop UI. Tauri loads `dist/` in release and
// the dev server on port 5173 (devUrl in src-tauri/tauri.conf.json) in `tauri dev`.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { fileURLToPath, URL } from 'node:url'

const host = process.env.TAURI_DEV_HOST

export default defineConfig({
  plugins: [
    vue(),
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: 'src/auto-imports.d.ts',
    }),
    Components({
      resolvers: [ElementPlusResolver()],
      dts: 'src/components.d.ts',
      dirs: [],
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    // vue-i18n: composition API only; smaller bundle, no eval (CSP in tauri.conf.json).
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: 'ws', host, port: 5174 } : undefined,
    watch: { ignored: ['**/src-tauri/**'] },
  },
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  build: {
    outDir: 'dist',
    target: 'es2021',
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // Element Plus 2.14 ships without /*#__PURE__*/ marks on its install
      // wrappers, so every component would be kept; declaring them pure lets
      // Rollup drop the components we never use.
      treeshake: {
        manualPureFunctions: [
          'withInstall',
          'withNoopInstall',
          'withInstallFunction',
          'withInstallDirective',
          'makeInstaller',
        ],
      },
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender') || id.includes('node_modules/vue-echarts')) return 'echarts'
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus'
          if (id.includes('node_modules/')) return 'vendor'
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    // Element Plus imports its CSS from JS; let Vite (not Node) load it.
    server: { deps: { inline: ['element-plus'] } },
  },
})
