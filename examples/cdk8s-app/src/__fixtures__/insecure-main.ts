// A cdk8s app that skips the Palisade constructs: `cdk8s synth` must fail its validation (see shop.test.ts).
import { ApiObject, App, Chart } from 'cdk8s';

const app = new App();
const chart = new Chart(app, 'legacy', { namespace: 'shop' });
new ApiObject(chart, 'web', {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'legacy-web' },
  spec: {
    selector: { matchLabels: { app: 'legacy-web' } },
    template: {
      metadata: { labels: { app: 'legacy-web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:latest' }] },
    },
  },
});
app.synth();
