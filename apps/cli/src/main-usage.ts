/** The main help text: imports nothing, so `palisade`, `--help` and `--version` start without loading a command. */

export const MAIN_USAGE = `Usage: palisade <command> [options]

Validate Kubernetes manifests and live clusters against security policies (Pod Security Standards and hardening).

Commands:
  validate [paths...]   Check manifests (files, directories, - for standard input)
  audit                 Check the objects running in a cluster; --write-reports writes policy reports
  policies              List the policies in the catalogue
  build --out DIR       Generate Gatekeeper and Kyverno resources; --check for CI

Options:
  -h, --help            Show help (also: palisade <command> --help)
  -v, --version         Show the version

Exit codes: 0 nothing failed, 1 a policy failed, 2 usage or input error.
`;
