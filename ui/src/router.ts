//! Hash history: works from `tauri://` and file URLs without server rewrites.
import { createRouter, createWebHashHistory } from 'vue-router'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/officers' },
    { path: '/officers', name: 'officers', component: () => import('./features/officers/OfficersView.vue') },
    { path: '/needs', name: 'needs', component: () => import('./features/needs/NeedsView.vue') },
    { path: '/units', name: 'units', component: () => import('./features/units/UnitsView.vue') },
    { path: '/sync', name: 'sync', component: () => import('./features/sync/SyncView.vue') },
    { path: '/admin', name: 'admin', component: () => import('./features/admin/AdminView.vue') },
    { path: '/settings', name: 'settings', component: () => import('./features/settings/SettingsView.vue') },
    { path: '/:pathMatch(.*)*', redirect: '/officers' },
  ],
})
