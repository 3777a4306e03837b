// Tend's self-observation: its own metrics registry.
export { MetricsRegistry, Counter, Gauge, Histogram } from './metrics.js';
