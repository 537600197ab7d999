// psa-oracle evaluates Pods with the upstream Pod Security Admission evaluator
// (k8s.io/pod-security-admission/policy) so Palisade can be tested against it differentially.
//
// Input: JSON Lines on stdin, one Pod per line. Output: JSON Lines on stdout, one line per input line,
// with the failing checks of every requested level×version.
//
// Each Pod is first brought to the form PodSecurity admission sees in a cluster: decoded as the apiserver
// decodes it (see decodePod) and defaulted where the defaulting changes a verdict (see defaultPod).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"k8s.io/utils/ptr"
	kjson "sigs.k8s.io/json"
)

// maxLine bounds one input line. The apiserver caps request bodies at 3 MiB; leave ample headroom.
const maxLine = 256 << 20

type checkOut struct {
	ID     policy.CheckID `json:"id"`
	Reason string         `json:"reason"`
	Detail string         `json:"detail"`
}

type resultOut struct {
	Level   api.Level  `json:"level"`
	Version string     `json:"version"`
	Allowed bool       `json:"allowed"`
	Checks  []checkOut `json:"checks"`
}

type lineOut struct {
	Index   int         `json:"index"`
	Results []resultOut `json:"results,omitempty"`
	Error   string      `json:"error,omitempty"`
}

// tracedEvaluator builds the upstream evaluator from DefaultChecks, with every CheckPod wrapped so the
// check ID is recorded as it runs. EvaluatePod returns results without IDs, in the order it ran the checks,
// so trace[i] names results[i]. Upstream still does all level/version/override resolution.
func tracedEvaluator() (policy.Evaluator, *[]policy.CheckID, error) {
	trace := make([]policy.CheckID, 0, 32)
	checks := policy.DefaultChecks()
	for i := range checks {
		id := checks[i].ID
		for j := range checks[i].Versions {
			inner := checks[i].Versions[j].CheckPod
			checks[i].Versions[j].CheckPod = func(meta *metav1.ObjectMeta, spec *corev1.PodSpec) policy.CheckResult {
				trace = append(trace, id)
				return inner(meta, spec)
			}
		}
	}
	ev, err := policy.NewEvaluator(checks, nil)
	if err != nil {
		return nil, nil, err
	}
	return ev, &trace, nil
}

func parseList[T any](flagName, value string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, s := range strings.Split(value, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		v, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("-%s %q: %w", flagName, s, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-%s: empty list", flagName)
	}
	return out, nil
}

// decodePod decodes like the apiserver's JSON serializer: case-sensitive field names (a key differing only in
// case is unknown), unknown keys are dropped (the apiserver's default, non-strict field validation: it warns and
// drops them), JSON null reads as absent, and apiVersion/kind may be omitted (the endpoint implies them) but must
// not name anything else. A value of the wrong JSON type is an error, as the apiserver rejects it.
func decodePod(line []byte) (*corev1.Pod, error) {
	if t := bytes.TrimSpace(line); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("expected a JSON object")
	}
	pod := &corev1.Pod{}
	if err := kjson.UnmarshalCaseSensitivePreserveInts(line, pod); err != nil {
		return nil, err
	}
	if (pod.APIVersion != "" && pod.APIVersion != "v1") || (pod.Kind != "" && pod.Kind != "Pod") {
		return nil, fmt.Errorf("expected apiVersion v1, kind Pod; got apiVersion %q, kind %q", pod.APIVersion, pod.Kind)
	}
	return pod, nil
}

// defaultPod applies the apiserver's defaulting that PodSecurity admission depends on. Admission runs after
// decoding and defaulting, so a cluster's verdict is on the defaulted Pod. Only volume defaulting changes a
// verdict: SetDefaults_Volume in k8s.io/kubernetes pkg/apis/core/v1/defaults.go gives a volume that sets no
// source at all (every VolumeSource pointer nil, e.g. a volume with only a name, or only unknown keys, which
// decoding dropped) an emptyDir. It is reimplemented here, with the same ptr.AllPtrFieldsNil test, rather than
// importing k8s.io/kubernetes.
func defaultPod(pod *corev1.Pod) {
	for i := range pod.Spec.Volumes {
		volume := &pod.Spec.Volumes[i]
		if ptr.AllPtrFieldsNil(&volume.VolumeSource) {
			volume.VolumeSource = corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
		}
	}
}

func run() error {
	levelsFlag := flag.String("levels", "baseline,restricted", "comma-separated levels: privileged, baseline, restricted")
	versionsFlag := flag.String("versions", "latest", `comma-separated policy versions: "latest" or "v1.x"`)
	flag.Parse()

	levels, err := parseList("levels", *levelsFlag, api.ParseLevel)
	if err != nil {
		return err
	}
	versions, err := parseList("versions", *versionsFlag, api.ParseVersion)
	if err != nil {
		return err
	}
	ev, trace, err := tracedEvaluator()
	if err != nil {
		return err
	}

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), maxLine)
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)

	for index := 0; in.Scan(); index++ {
		out := lineOut{Index: index}
		pod, err := decodePod(in.Bytes())
		if err != nil {
			out.Error = err.Error()
		} else {
			defaultPod(pod)
			out.Results = make([]resultOut, 0, len(levels)*len(versions))
			for _, level := range levels {
				for _, version := range versions {
					*trace = (*trace)[:0]
					results := ev.EvaluatePod(api.LevelVersion{Level: level, Version: version}, &pod.ObjectMeta, &pod.Spec)
					if len(results) != len(*trace) {
						return fmt.Errorf("internal: %d results but %d traced checks", len(results), len(*trace))
					}
					r := resultOut{Level: level, Version: version.String(), Allowed: true, Checks: []checkOut{}}
					for i, res := range results {
						if !res.Allowed {
							r.Allowed = false
							r.Checks = append(r.Checks, checkOut{ID: (*trace)[i], Reason: res.ForbiddenReason, Detail: res.ForbiddenDetail})
						}
					}
					out.Results = append(out.Results, r)
				}
			}
		}
		if err := enc.Encode(&out); err != nil {
			return err
		}
	}
	if err := in.Err(); err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	return w.Flush()
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "psa-oracle:", err)
		os.Exit(1)
	}
}
