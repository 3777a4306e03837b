// Ownership's clock: the real time plus an offset tests move (escalation waits, handoff windows
// and on-call answers follow it), so a test runs minutes of escalation in milliseconds.
export class MovableClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
