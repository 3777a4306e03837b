// The on-call schedule both on-call tests use: ownership-oncall.test.ts computes its shifts by
// hand, and ownership-oncall-api.test.ts asks the API for the same times, so they must agree.
export const PAYMENTS_SCHEDULE_YAML = `
  - name: payments-primary
    time_zone: Europe/Berlin
    layers:
      - { name: weekly, members: [ana@example.com, bo@example.com, cy@example.com], start: "2026-01-05T09:00", rotation: 1w }
      - name: business-hours
        members: [bo@example.com, cy@example.com]
        start: "2026-01-05T09:00"
        rotation: 1d
        restrictions: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" }]`;
