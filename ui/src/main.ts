//! Entry: plugins, global error handler, then mount. In a plain browser an
//! in-memory fake backend is installed first (see `api/mock.ts`).
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import 'element-plus/theme-chalk/el-notification.css'
import 'element-plus/theme-chalk/el-loading.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { installErrorHandler } from './errors'
import { installBrowserMockIfNeeded } from './api'

async function start() {
  await installBrowserMockIfNeeded()
  const app = createApp(App)
  app.use(createPinia())
  app.use(router)
  app.use(i18n)
  installErrorHandler(app)
  app.mount('#app')
}

void start()
