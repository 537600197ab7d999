import { REPORT_FORMATS } from '@palisade/validator';
import { SELECTION_USAGE } from './selection.js';

/** Help texts of the commands (the main one is in main-usage.ts and `policies`' in policies-usage.ts: they import nothing, so `--version` and `policies` load neither the validator nor the selection code). */

export const VALIDATE_USAGE = `Usage: palisade validate [options] <paths...>

Check Kubernetes manifests against Palisade policies. Paths are files (any extension), directories (searched
recursively for .yaml, .yml and .json files) or - for standard input. Multi-document YAML and List kinds are read.

${SELECTION_USAGE}
      --exceptions <file>       PolicyException documents (palisade.dev/v1alpha1) to apply (repeatable;
                                adds to --config's)

Input:
      --allow-empty             A path that yields no Kubernetes resource is not an error (by default it is,
                                so a job pointed at the wrong folder fails instead of passing)
      --max-file-size <size>    Skip larger inputs as errors, e.g. 10MiB, 512KiB, 1048576 (default: 256MiB)

Output:
  -f, --format <format>         ${REPORT_FORMATS.join(', ')} (default: text)
  -o, --output <file>           Write the report to a file instead of standard output
  -h, --help                    Show this help

Exit codes: 0 nothing failed, 1 a policy failed, 2 usage or input error, including a field a policy reads
with the wrong type (results are still reported).

Examples:
  palisade validate k8s/
  palisade validate --profile baseline --pss-version v1.30 deploy.yaml
  palisade validate --policy restrict-image-registries --params params.yaml --enforcement warn k8s/
  kubectl get deploy -A -o json | palisade validate --format sarif -
`;

export const AUDIT_USAGE = `Usage: palisade audit [options]

Audit the objects running in a cluster with the same policies and verdicts as 'palisade validate': list every
kind the selected policies match (found through API discovery, CRD-backed kinds included), page by page, and
report each object by namespace, name and uid. A kind that cannot be listed (forbidden, failing) is an error
naming it; every other kind is still audited.

Cluster (credentials as kubectl finds them: --kubeconfig, KUBECONFIG, ~/.kube/config, then the pod's service account):
      --kubeconfig <file>       The kubeconfig file to use
      --context <name>          The kubeconfig context to use (default: its current context)
  -n, --namespace <name>        Audit only this namespace (repeatable, or comma-separated); cluster-scoped kinds
                                are then not audited (default: every namespace and the cluster-scoped kinds)
      --page-size <n>           Objects per list request (default: 500)

${SELECTION_USAGE}
      --exceptions <file>       PolicyException documents (palisade.dev/v1alpha1) to apply (repeatable;
                                adds to --config's)

Reports in the cluster:
      --write-reports           Write the results into the cluster: a PolicyReport per namespace and a
                                ClusterPolicyReport (server-side apply, field manager palisade-audit; unchanged
                                reports are not written, reports without results are deleted)
      --report-api <api>        wgpolicyk8s (wgpolicyk8s.io/v1alpha2, default) or openreports (openreports.io/v1alpha1)
      --report-results <which>  all (every result, as validate --format policyreport; default) or violations
                                (all but pass; the passes are still counted in the summaries): for big clusters,
                                where passes are most of the reports' bytes
      --watch                   Keep the reports current until SIGTERM or SIGINT (needs --write-reports)

Output:
  -f, --format <format>         ${REPORT_FORMATS.join(', ')} (default: text)
  -o, --output <file>           Write the report to a file instead of standard output
  -h, --help                    Show this help

Exit codes: 0 nothing failed, 1 a policy failed, 2 usage error, a kind that could not be listed, an object that
could not be checked, or a report CRD that is not installed (results are still reported).

Examples:
  palisade audit --profile restricted
  palisade audit --context prod -n team-a -n team-b --format json -o audit.json
  palisade audit --config palisade.config.ts --write-reports
`;
