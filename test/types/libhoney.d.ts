// The parts of the `libhoney` npm package (which ships no types) that the tests use.
declare module 'libhoney' {
  export interface LibhoneyResponse {
    status_code?: number;
    duration?: number;
    metadata?: unknown;
    error?: Error;
  }
  export interface LibhoneyOptions {
    apiHost?: string;
    writeKey?: string;
    dataset?: string;
    sampleRate?: number;
    batchSizeTrigger?: number;
    batchTimeTrigger?: number;
    maxConcurrentBatches?: number;
    pendingWorkCapacity?: number;
    maxResponseQueueSize?: number;
    timeout?: number;
    responseCallback?: (responses: LibhoneyResponse[]) => void;
  }
  export interface LibhoneyEvent {
    timestamp: Date | null;
    sampleRate: number;
    metadata: unknown;
    add(data: Record<string, unknown>): LibhoneyEvent;
    addField(name: string, value: unknown): LibhoneyEvent;
    send(): void;
    sendPresampled(): void;
  }
  export default class Libhoney {
    constructor(options: LibhoneyOptions);
    newEvent(): LibhoneyEvent;
    flush(): Promise<void>;
  }
}
