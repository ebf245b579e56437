package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPackaging checks what CI cannot run here (no Docker engine): the Dockerfile builds
// the binary with the script CI runs (scripts/build-static.sh) onto a non-root distroless
// base; docker compose runs Redis with AOF and never evicting; the Kubernetes example
// has two replicas, both probes and its tokens in a Secret.
func TestPackaging(t *testing.T) {
	docker := readRepoFile(t, "Dockerfile")
	for _, want := range []string{"scripts/build-static.sh", "distroless/static", ":nonroot", "USER nonroot", `ENTRYPOINT ["/frontdesk"]`} {
		if !strings.Contains(docker, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}

	var compose struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	decodeYAML(t, "docker-compose.yml", &compose)
	redisCmd := strings.Join(compose.Services["redis"].Command, " ")
	if !strings.Contains(redisCmd, "--appendonly yes") || !strings.Contains(redisCmd, "noeviction") {
		t.Errorf("compose runs Redis as %q, want AOF on and noeviction", redisCmd)
	}
	if _, ok := compose.Services["frontdesk"]; !ok {
		t.Error("compose has no frontdesk service")
	}

	type probe struct {
		HTTPGet struct {
			Path string `yaml:"path"`
		} `yaml:"httpGet"`
	}
	var deployment struct {
		Spec struct {
			Replicas int `yaml:"replicas"`
			Template struct {
				Spec struct {
					Containers []struct {
						Liveness  probe `yaml:"livenessProbe"`
						Readiness probe `yaml:"readinessProbe"`
						EnvFrom   []struct {
							SecretRef struct {
								Name string `yaml:"name"`
							} `yaml:"secretRef"`
						} `yaml:"envFrom"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	kinds := map[string]int{}
	dec := yaml.NewDecoder(strings.NewReader(readRepoFile(t, "deploy/kubernetes/frontdesk.yaml")))
	for {
		var raw yaml.Node
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("deploy/kubernetes/frontdesk.yaml: %v", err)
		}
		var head struct {
			Kind string `yaml:"kind"`
		}
		if err := raw.Decode(&head); err != nil {
			t.Fatal(err)
		}
		kinds[head.Kind]++
		if head.Kind == "Deployment" {
			if err := raw.Decode(&deployment); err != nil {
				t.Fatal(err)
			}
		}
	}
	if kinds["Deployment"] != 1 || kinds["Secret"] != 1 || kinds["Service"] != 1 {
		t.Errorf("kinds = %v, want a Deployment, a Secret and a Service", kinds)
	}
	cs := deployment.Spec.Template.Spec.Containers
	if deployment.Spec.Replicas != 2 || len(cs) != 1 || cs[0].Liveness.HTTPGet.Path != "/healthz" ||
		cs[0].Readiness.HTTPGet.Path != "/readyz" || len(cs[0].EnvFrom) == 0 {
		t.Errorf("deployment = %+v", deployment.Spec)
	}
}

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decodeYAML(t *testing.T, name string, v any) {
	t.Helper()
	if err := yaml.NewDecoder(bytes.NewReader([]byte(readRepoFile(t, name)))).Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
