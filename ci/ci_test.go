package ci_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

type workflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		RunsOn string `yaml:"runs-on"`
		Steps  []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// The GitHub Actions workflow parses, runs on pushes, pull requests and a
// schedule, and every ci/ script its jobs call exists and is executable.
func TestWorkflow(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root(), ".github", "workflows", "trampfuzz.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("workflow YAML: %v", err)
	}
	for _, ev := range []string{"push", "pull_request", "schedule"} {
		if _, ok := w.On[ev]; !ok {
			t.Errorf("workflow does not run on %s", ev)
		}
	}
	script := regexp.MustCompile(`\bci/[a-z-]+`)
	called := map[string]bool{}
	for name, job := range w.Jobs {
		if job.RunsOn == "" || len(job.Steps) == 0 {
			t.Errorf("job %s has no runner or no steps", name)
		}
		for _, s := range job.Steps {
			for _, c := range script.FindAllString(s.Run, -1) {
				called[c] = true
				info, err := os.Stat(filepath.Join(root(), c))
				if err != nil {
					t.Errorf("job %s calls %s: %v", name, c, err)
				} else if info.Mode()&0o111 == 0 {
					t.Errorf("job %s calls %s, which is not executable", name, c)
				}
			}
		}
	}
	for _, want := range []string{"ci/test", "ci/fuzz-smoke", "ci/corpus-sync", "ci/setup"} {
		if !called[want] {
			t.Errorf("no job calls %s", want)
		}
	}
	if !strings.Contains(string(data), "upload-artifact") {
		t.Error("the workflow uploads no artifacts")
	}
}

// The ClusterFuzzLite build script runs as far as it can without the
// OSS-Fuzz image: every target's package builds as a test binary that lists
// the target, and the seed corpus is written.
func TestClusterFuzzLiteBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every fuzz package; skipped with -short")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", ".clusterfuzzlite/build.sh")
	cmd.Dir = root()
	cmd.Env = append(os.Environ(), "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, b)
	}
	for _, bin := range []string{"fuzz_check.test", "fuzz_corpus_file.test", "fuzz_btf_load.test", "fuzz_parse.test", "fuzz_pahole_load.test"} {
		if _, err := os.Stat(filepath.Join(out, bin)); err != nil {
			t.Errorf("build.sh did not build %s", bin)
		}
	}
	seeds, _ := filepath.Glob(filepath.Join(out, "fuzz_check_seed_corpus.*"))
	if len(seeds) != 1 {
		t.Errorf("no seed corpus archive in %s", out)
	}
	project, err := os.ReadFile(filepath.Join(root(), ".clusterfuzzlite", "project.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Language string }
	if err := yaml.Unmarshal(project, &p); err != nil || p.Language != "go" {
		t.Errorf("project.yaml: language %q, err %v", p.Language, err)
	}
}

// ci/fuzz-smoke, in a copy of the checkout: exits 0 and lists the known
// classes; with TRAMPFUZZ_STRICT=1 it exits non-zero and leaves a report.
func TestFuzzSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every fuzz target; skipped with -short")
	}
	work := copyCheckout(t)
	run := func(strict bool) (string, error) {
		cmd := exec.Command("ci/fuzz-smoke", "5s")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TRAMPFUZZ_STRICT=0")
		if strict {
			cmd.Env = append(cmd.Env, "TRAMPFUZZ_STRICT=1")
		}
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	out, err := run(false)
	if err != nil {
		t.Fatalf("ci/fuzz-smoke 5s: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Known mismatch classes") || !strings.Contains(out, "even pair not applied") {
		t.Errorf("the output lists no known classes:\n%s", out)
	}
	out, err = run(true)
	if err == nil {
		t.Fatalf("strict ci/fuzz-smoke exited 0:\n%s", out)
	}
	reports, _ := filepath.Glob(filepath.Join(work, "out", "reports", "*", "README.md"))
	if len(reports) == 0 {
		t.Fatalf("strict ci/fuzz-smoke left no report:\n%s", out)
	}
}

// copyCheckout copies the module's tracked files (git ls-files; every file
// when there is no git) into a temporary directory, so that a script that
// writes testdata/fuzz or out/ leaves the real checkout alone and sees what
// a clean checkout has.
func copyCheckout(t *testing.T) string {
	dst := filepath.Join(t.TempDir(), "trampfuzz")
	src := root()
	var files []string
	if out, err := exec.Command("git", "-C", src, "ls-files", "-z").Output(); err == nil {
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
	} else {
		filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(src, path)
				files = append(files, rel)
			}
			return nil
		})
	}
	for _, rel := range files {
		info, err := os.Stat(filepath.Join(src, rel))
		if err != nil {
			continue // deleted in the working tree
		}
		data, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, info.Mode()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
