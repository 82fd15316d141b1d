package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	v1 "enviro.dev/api/enviro/v1"
)

func runSpec(t *testing.T, env map[string]string, args ...string) (*v1.ContainerSpec, error) {
	t.Helper()
	var f runFlags
	line := verbArgs{values: args}
	for i := range args {
		line.indexes = append(line.indexes, i+1)
	}
	params, err := parseSyntax("run", line, f.options(), verbSyntax{positional: []string{"IMAGE"}, help: []string{"--help"},
		stopAtPositional: true, varargs: true})
	if err != nil {
		return nil, err
	}
	return f.spec(params[0], params[1:], func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

// As the Java CLI's CommandLineTest: everything after the image is the container's command.
func TestOptionsAfterTheImageBelongToTheCommand(t *testing.T) {
	s, err := runSpec(t, map[string]string{"HOME": "/root"}, "--rm", "--name", "web.1", "-e", "A=1", "-e", "HOME",
		"-e", "UNSET", "-w", "/srv", "-u", "1000:1000", "--hostname", "box", "localhost/busybox", "ls", "-la", "--rm", "-e", "X")
	if err != nil {
		t.Fatal(err)
	}
	if s.Image != "localhost/busybox" || !reflect.DeepEqual(s.Command, []string{"ls", "-la", "--rm", "-e", "X"}) || !s.AutoRemove ||
		s.Name != "web.1" || !reflect.DeepEqual(s.Env, []string{"A=1", "HOME=/root"}) || s.Workdir != "/srv" || s.User != "1000:1000" ||
		s.Hostname != "box" || s.OverrideEntrypoint {
		t.Errorf("spec %v", s)
	}
	if s.Security != nil || s.Resources == nil {
		t.Errorf("no security options unless given; resources always (empty): %v %v", s.Security, s.Resources)
	}
}

func TestEntrypointSetOrCleared(t *testing.T) {
	set, _ := runSpec(t, nil, "--entrypoint", "/bin/sh", "img", "-c", "true")
	if !set.OverrideEntrypoint || !reflect.DeepEqual(set.Entrypoint, []string{"/bin/sh"}) || !reflect.DeepEqual(set.Command, []string{"-c", "true"}) {
		t.Errorf("%v", set)
	}
	cleared, _ := runSpec(t, nil, "--entrypoint", "", "img")
	if !cleared.OverrideEntrypoint || len(cleared.Entrypoint) != 0 {
		t.Errorf("%v", cleared)
	}
}

func TestEveryRunFlagReachesTheSpec(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile.json")
	os.WriteFile(profile, []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), 0o600)
	envFile := filepath.Join(dir, "app.env")
	os.WriteFile(envFile, []byte("# comment\n\n  FROM_FILE=1\nSHELL_ONLY\nMISSING\r\n"), 0o600)
	s, err := runSpec(t, map[string]string{"SHELL_ONLY": "sh"}, "-d", "--restart", "on-failure:3", "--cap-add", "NET_ADMIN,SYS_TIME",
		"--cap-drop", "ALL", "--privileged", "--security-opt", "seccomp="+profile, "--security-opt", "no-new-privileges=false",
		"--ulimit", "nofile=1024:2048", "-v", "/srv:/data:ro", "--tmpfs", "/scratch:size=64m", "--read-only", "--log-opt", "max-size=1m",
		"--init", "--env-file", envFile, "-e", "LAST=1", "-m", "512m", "--memory-swap", "-1", "--cpus", "1.5", "--cpu-shares", "512",
		"--cpuset-cpus", "0-1", "--pids-limit", "0", "--oom-score-adj", "-500", "img")
	if err != nil {
		t.Fatal(err)
	}
	sec := s.Security
	if s.RestartPolicy != "on-failure:3" || !reflect.DeepEqual(sec.CapAdd, []string{"NET_ADMIN", "SYS_TIME"}) ||
		!reflect.DeepEqual(sec.CapDrop, []string{"ALL"}) || !sec.Privileged ||
		!reflect.DeepEqual(sec.SecurityOpt, []string{`seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`, "no-new-privileges=false"}) ||
		!reflect.DeepEqual(sec.Ulimit, []string{"nofile=1024:2048"}) {
		t.Errorf("security %v", sec)
	}
	if !reflect.DeepEqual(s.Volumes, []string{"/srv:/data:ro"}) || !reflect.DeepEqual(s.Tmpfs, []string{"/scratch:size=64m"}) ||
		!s.ReadOnly || !reflect.DeepEqual(s.LogOpts, []string{"max-size=1m"}) || !s.Init {
		t.Errorf("storage %v", s)
	}
	if !reflect.DeepEqual(s.Env, []string{"FROM_FILE=1", "SHELL_ONLY=sh", "LAST=1"}) {
		t.Errorf("env %v", s.Env)
	}
	r := s.Resources
	if r.MemoryBytes != 512<<20 || r.MemorySwapBytes != -1 || r.NanoCpus != 1_500_000_000 || r.CpuShares != 512 ||
		r.CpusetCpus != "0-1" || r.PidsLimit != -1 || r.OomScoreAdj == nil || *r.OomScoreAdj != -500 {
		t.Errorf("resources %v", r)
	}
}

func TestSizesAndCpusAsTheEngineParsesThem(t *testing.T) {
	for text, want := range map[string]int64{"100": 100, "100b": 100, "4k": 4096, "512m": 512 << 20, "1G": 1 << 30, " 2gb ": 2 << 30} {
		if got, err := parseBytes("--memory", text); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v", text, got, err)
		}
	}
	for text, want := range map[string]int64{"1.5": 1_500_000_000, ".5": 500_000_000, "2": 2_000_000_000, "0.000000001": 1, "0": 0, "1.50": 1_500_000_000} {
		if got, err := parseCpus(text); err != nil || got != want {
			t.Errorf("parseCpus(%q) = %d, %v", text, got, err)
		}
	}
}

// The Java CLI's words for each value it refuses before any call.
func TestBadRunValuesAreOneLine(t *testing.T) {
	for line, want := range map[string]string{
		"--name bad@name img":                            "invalid container name 'bad@name': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
		"--name -x img":                                  "invalid container name '-x': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
		"-e =x img":                                      "invalid environment variable '=x': expected KEY=VALUE or KEY",
		"-w srv img":                                     "invalid working directory 'srv': it must be an absolute path",
		"--restart sometimes img":                        "invalid restart policy 'sometimes': use no, on-failure[:N], always or unless-stopped",
		"--restart always:3 img":                         "invalid restart policy 'always:3': only on-failure takes a count",
		"--restart on-failure:x img":                     "invalid restart policy 'on-failure:x': the count must be a number",
		"--rm --restart always img":                      "--rm and --restart always conflict: a removed container cannot be restarted; choose one",
		"-v data:/data img":                              "invalid volume 'data:/data': the host path must be absolute (named volumes are not supported)",
		"-v /srv img":                                    "invalid volume '/srv': expected HOST-PATH:CONTAINER-PATH[:ro|rw]",
		"-v /srv:data img":                               "invalid volume '/srv:data': the container path must be absolute",
		"--tmpfs scratch img":                            "invalid tmpfs 'scratch': the container path must be absolute",
		"--log-opt max-size img":                         "invalid --log-opt 'max-size': expected KEY=VALUE (max-size=10m, max-file=3)",
		"-m 12q img":                                     "invalid size for --memory: '12q': expected a number with an optional unit b, k, m or g (e.g. 512m)",
		"-m 99999999999999g img":                         "invalid size for --memory: '99999999999999g' is too large",
		"--cpus 1.5.2 img":                               "invalid value for --cpus: '1.5.2': expected a number of CPUs such as 1.5",
		"--cpus 0.0000000001 img":                        "invalid value for --cpus: '0.0000000001': use at most 9 decimals",
		"--pids-limit many img":                          "invalid value for --pids-limit: 'many': expected a whole number",
		"--env-file /nonexistent/e img":                  "--env-file /nonexistent/e: cannot read it: /nonexistent/e",
		"--security-opt seccomp=/nonexistent/p.json img": "--security-opt seccomp=/nonexistent/p.json: cannot read /nonexistent/p.json: /nonexistent/p.json",
		"-u  img":                                        "invalid user '': expected a name or uid, optionally :group",
	} {
		args := strings.Split(line, " ")
		if _, err := runSpec(t, nil, args...); err == nil || err.Error() != want {
			t.Errorf("%s: %v; want %q", line, err, want)
		}
	}
	dir := t.TempDir()
	latin1 := filepath.Join(dir, "latin1.env")
	os.WriteFile(latin1, []byte("A=\xff\n"), 0o600)
	if _, err := runSpec(t, nil, "--env-file", latin1, "img"); err == nil || err.Error() != "--env-file "+latin1+": cannot read it: Input length = 1" {
		t.Errorf("not UTF-8: %v", err)
	}
	bad := filepath.Join(dir, "bad.env")
	os.WriteFile(bad, []byte("OK=1\n=nokey\n"), 0o600)
	if _, err := runSpec(t, nil, "--env-file", bad, "img"); err == nil || err.Error() != "--env-file "+bad+":2: expected KEY=VALUE, got '=nokey'" {
		t.Errorf("%v", err)
	}
}

func TestRunCommandLines(t *testing.T) {
	for line, want := range map[string]string{
		"run":        "Error: Missing required parameter: 'IMAGE'. See 'enviro run --help'.\n",
		"run -x img": "Error: Unknown option: '-x'. See 'enviro run --help'.\n",
		"run --name": "Error: Missing required parameter for option '--name' (NAME). See 'enviro run --help'.\n",
	} {
		code, _, errs := invoke(nil, strings.Fields(line)...)
		if code != 125 || errs != want {
			t.Errorf("%s: %d %q; want %q", line, code, errs, want)
		}
	}
	code, out, _ := invoke(nil, "run", "--help")
	if code != 0 || !strings.HasPrefix(out, "Usage: enviro run") {
		t.Errorf("--help: %d %q", code, out)
	}
}
