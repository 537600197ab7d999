import { App } from 'cdk8s';
import { ShopChart } from './shop.js';

// `cdk8s synth` runs this file; the manifests land in dist/ (or the directory the CLI chooses).
const app = new App();
new ShopChart(app, 'shop');
app.synth();
