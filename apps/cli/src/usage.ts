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
