// The web app (built from web/): index.html for the app's routes, hashed assets, and the
// settings the sign-in page reads, plus GET /1/datasets for the home page and each person's
// recent queries.
export { registerWebApp, type WebAppOptions } from './routes.js';
export { loadWebBuild, DEFAULT_WEB_DIR, type WebBuild } from './assets.js';
export { registerDatasetRoutes } from './datasets-route.js';
export { RecentQueries, registerRecentQueryRoutes, RECENT_QUERIES_KEPT, type RecentQuery } from './recent-queries.js';
