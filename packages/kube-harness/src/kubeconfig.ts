// A kubeconfig is YAML; JSON-quoted strings are valid YAML double-quoted scalars, so every value is written with
// JSON.stringify and no escaping rule of our own can go wrong.
export function kubeconfigYaml(options: { server: string; ca: string; user: string; token: string }): string {
  const q = JSON.stringify;
  const caData = Buffer.from(options.ca, 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: palisade',
    '    cluster:',
    `      server: ${q(options.server)}`,
    `      certificate-authority-data: ${q(caData)}`,
    'users:',
    `  - name: ${q(options.user)}`,
    '    user:',
    `      token: ${q(options.token)}`,
    'contexts:',
    `  - name: ${q(`palisade-${options.user}`)}`,
    '    context:',
    '      cluster: palisade',
    `      user: ${q(options.user)}`,
    '      namespace: default',
    `current-context: ${q(`palisade-${options.user}`)}`,
    '',
  ].join('\n');
}
