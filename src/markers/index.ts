// Markers: deploys, config changes and incidents drawn on charts; Honeycomb's Markers API.
export { MarkerStore, type Marker, type MarkerFields, type MarkerScope } from './marker-store.js';
export { registerMarkerRoutes } from './routes.js';
