// Real-looking Backstage catalog files: a Group with User entities, a Component with links,
// annotations and dependencies, an API, a System, and a Component without an owner.
export const BACKSTAGE = [
  {
    name: 'org.yaml',
    text: `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
  description: Payments team
  annotations: { slack.com/channel: "#payments" }
spec:
  type: team
  children: []
  members: [user:default/ana, bo]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ana }
spec: { profile: { email: Ana@example.com }, memberOf: [payments] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: bo }
spec: { profile: { email: bo@example.com }, memberOf: [payments] }
`,
  },
  {
    name: 'checkout/catalog-info.yaml',
    text: `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  description: Takes payments
  annotations:
    github.com/project-slug: acme/checkout
    tend.dev/tier: "1"
    tend.dev/datasets: checkout, checkout-worker
    tend.dev/checks: checkout-health
  links:
    - { url: "https://wiki.example.com/checkout/runbook", title: Runbook }
    - { url: "https://grafana.example.com/d/checkout", title: Dashboard, type: dashboard }
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: shop
  dependsOn: [component:default/ledger, resource:default/checkout-db]
  providesApis: [checkout-api]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: { name: checkout-api, description: The checkout REST API }
spec: { type: openapi, lifecycle: experimental, owner: payments, definition: "openapi: 3.0.0" }
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: shop }
spec: { owner: group:payments }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: orphan }
spec: { type: library, lifecycle: deprecated }
`,
  },
];
