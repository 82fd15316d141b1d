package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"google.golang.org/grpc/codes"
)

func invoke(env map[string]string, args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	c := &command{out: &out, err: &errs, lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	return c.execute(args), out.String(), errs.String()
}

// The command lines the Java CLI (picocli) refuses are refused with its words; exit 125.
func TestBadCommandLinesAreOneLine(t *testing.T) {
	for line, want := range map[string]string{
		"ps -x":                 "Error: Unknown option: '-x'. See 'enviro ps --help'.\n",
		"ps --bogus=1":          "Error: Unknown option: '--bogus=1'. See 'enviro ps --help'.\n",
		"ps --all=maybe":        "Error: Invalid value for option '--all': 'maybe' is not a boolean. See 'enviro ps --help'.\n",
		"--host unix:///x ps a": "Error: Unmatched argument at index 3: 'a'. See 'enviro ps --help'.\n",
		"images extra":          "Error: Unmatched argument at index 1: 'extra'. See 'enviro images --help'.\n",
		"pull":                  "Error: Missing required parameter: 'IMAGE'. See 'enviro pull --help'.\n",
		"pull --platform":       "Error: Missing required parameter for option '--platform' (OS/ARCH[/VARIANT]). See 'enviro pull --help'.\n",
		"pull a b":              "Error: Unmatched argument at index 2: 'b'. See 'enviro pull --help'.\n",
		"--host":                "Error: Missing required parameter for option '--host'\n",
		"--host unix:///x":      "Error: a command is required. See 'enviro --help'.\n",
		"--host tcp://h:1 ps":   "Error: invalid host tcp://h:1: TCP is not supported yet, use unix:///path/to/enviro.sock\n",
		"--host relative ps":    "Error: invalid host relative: expected unix:///path/to/enviro.sock\n",
		"--host unix://x ps":    "Error: invalid host unix://x: expected unix:///path/to/enviro.sock\n",
		"inspect web":           "Error: 'inspect' is not a verb of the native client: run it through bin/enviro\n",
	} {
		code, out, errs := invoke(nil, strings.Fields(line)...)
		if code != 125 || out != "" || errs != want {
			t.Errorf("%s: %d %q %q; want 125 %q", line, code, out, errs, want)
		}
	}
}

func TestHelpIsTheVerbsUsage(t *testing.T) {
	for _, line := range []string{"ps --help", "pull -h", "images --help", "ps -x --help", "ps -ah", "rm -fh x", "exec --help"} {
		code, out, _ := invoke(nil, strings.Fields(line)...)
		if code != 0 || !strings.HasPrefix(out, "Usage: enviro "+strings.Fields(line)[0]) {
			t.Errorf("%s: %d %q", line, code, out)
		}
	}
}

func TestOptionsBundleAndTakeValues(t *testing.T) {
	var all, quiet bool
	var platform *string
	options := []option{{names: []string{"-a", "--all"}, flag: &all}, {names: []string{"-q"}, flag: &quiet},
		{names: []string{"-p", "--platform"}, label: "P", value: &platform}}
	params, err := parseVerb("x", verbArgs{values: []string{"-aq", "-plinux/arm64", "--", "-img"}, indexes: []int{1, 2, 3, 4}}, options, []string{"IMAGE"})
	if err != nil || !all || !quiet || platform == nil || *platform != "linux/arm64" || len(params) != 1 || params[0] != "-img" {
		t.Errorf("%v %v %v %v %v", err, all, quiet, platform, params)
	}
	if _, err := parseVerb("x", verbArgs{values: []string{"--platform=linux/amd64", "i"}, indexes: []int{1, 2}}, options, []string{"IMAGE"}); err != nil || *platform != "linux/amd64" {
		t.Errorf("%v %v", err, platform)
	}
}

func TestEngineAddressRules(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	check := func(flag string, uid int, want string) {
		t.Helper()
		got, err := resolveAddress(flag, get, uid)
		if err != nil || got.String() != want {
			t.Errorf("resolveAddress(%q, %v, %d) = %v, %v; want %s", flag, env, uid, got, err, want)
		}
	}
	check("", 0, "unix:///run/enviro/enviro.sock")
	check("", 1000, "unix:///tmp/enviro-run-1000/enviro/enviro.sock")
	env["XDG_RUNTIME_DIR"] = "relative"
	check("", 1000, "unix:///tmp/enviro-run-1000/enviro/enviro.sock")
	env["XDG_RUNTIME_DIR"] = "/run/user/1000"
	check("", 1000, "unix:///run/user/1000/enviro/enviro.sock")
	env["ENVIRO_HOST"] = "unix:///srv//e/../e.sock"
	check("", 1000, "unix:///srv/e.sock")
	check("unix:///flag.sock", 1000, "unix:///flag.sock")
}

func TestNoEngineListening(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	code, out, errs := invoke(nil, "--host", "unix://"+sock, "ps")
	want := "Error: cannot reach the Enviro engine at unix://" + sock +
		" (connect: No such file or directory). Start one with 'enviro daemon' (or set ENVIRO_HOST).\n"
	if code != 125 || out != "" || errs != want {
		t.Errorf("%d %q %q", code, out, errs)
	}
	// a socket bound but not listening: refused
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		t.Fatal(err)
	}
	if _, _, errs := invoke(nil, "--host", "unix://"+sock, "ps"); !strings.Contains(errs, "(connect: Connection refused)") {
		t.Errorf("%q", errs)
	}
}

func TestStatusCodesAreSpelledAsGrpcJavaSpellsThem(t *testing.T) {
	for c, want := range map[codes.Code]string{codes.Canceled: "CANCELLED", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
		codes.OK: "OK", codes.Internal: "INTERNAL", codes.FailedPrecondition: "FAILED_PRECONDITION"} {
		if got := codeName(c); got != want {
			t.Errorf("codeName(%v) = %s, want %s", c, got, want)
		}
	}
}

// picocli's inherited root options: after the verb they are the verb's too, but after run's image or
// exec's container they belong to the command.
func TestRootOptionsAfterTheVerb(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "after.sock")
	_, _, errs := invoke(nil, "ps", "--host", "unix://"+sock)
	if !strings.Contains(errs, "unix://"+sock) {
		t.Errorf("ps --host after the verb: %q", errs)
	}
	c := &command{lookup: func(string) (string, bool) { return "", false }}
	var f runFlags
	params, err := c.parseSyntax("run", verbArgs{values: []string{"img", "echo", "--host", "x"}, indexes: []int{1, 2, 3, 4}}, f.options(),
		verbSyntax{positional: []string{"IMAGE"}, help: []string{"--help"}, stopAtPositional: true, varargs: true})
	if err != nil || c.host != "" || strings.Join(params, " ") != "img echo --host x" {
		t.Errorf("run img echo --host x: %v %q %v", err, c.host, params)
	}
}

// picocli's stricter rules, with its words.
func TestPicocliRulesAndWords(t *testing.T) {
	for line, want := range map[string]string{
		"ps -a -a":                        "Error: option '--all' should be specified only once. See 'enviro ps --help'.\n",
		"rm -ff x":                        "Error: option '--force' should be specified only once. See 'enviro rm --help'.\n",
		"run --name x --name y img":       "Error: option '--name' should be specified only once. See 'enviro run --help'.\n",
		"run -e -d img":                   "Error: Expected parameter for option '--env' but found '-d'. See 'enviro run --help'.\n",
		"run --name=-d img":               "Error: Expected parameter for option '--name' but found '-d'. See 'enviro run --help'.\n",
		"run --name -dt img":              "Error: Expected parameter for option '--name' but found '-dt'. See 'enviro run --help'.\n",
		"ps -ax":                          "Error: Unknown option: '-x' (while processing option: '-ax'). See 'enviro ps --help'.\n",
		"ps a b":                          "Error: Unmatched arguments from index 1: 'a', 'b'. See 'enviro ps --help'.\n",
		"exec":                            "Error: Missing required parameters: 'CONTAINER', 'COMMAND'. See 'enviro exec --help'.\n",
		"stop -t abc":                     "Error: Invalid value for option '--time': 'abc' is not an int. See 'enviro stop --help'.\n",
		"stop -t=abc x":                   "Error: Invalid value for option '--time': 'abc' is not an int. See 'enviro stop --help'.\n",
		"run --restart on-failure:-1 img": "Error: the maximum retry count must not be negative: -1\n",
		"--host bad pull Bad!":            "Error: invalid host bad: expected unix:///path/to/enviro.sock\n",
	} {
		code, out, errs := invoke(nil, strings.Fields(line)...)
		if code != 125 || out != "" || errs != want {
			t.Errorf("%s: %d %q %q; want %q", line, code, out, errs, want)
		}
	}
	// a negative number is a parameter (kill -9 x: the container "-9"), -V prints the verb's (empty) version
	var f runFlags
	if params, err := parseSyntax("wait", verbArgs{values: []string{"-5"}, indexes: []int{1}}, f.options(), verbSyntax{positional: []string{"CONTAINER"}}); err != nil || params[0] != "-5" {
		t.Errorf("-5: %v %v", params, err)
	}
	if code, out, errs := invoke(nil, "ps", "-V"); code != 0 || out != "" || errs != "" {
		t.Errorf("ps -V: %d %q %q", code, out, errs)
	}
	// short options take =VALUE as picocli does
	c := &command{lookup: func(string) (string, bool) { return "", false }}
	var seconds *string
	if _, err := c.parseSyntax("stop", verbArgs{values: []string{"-t=5", "x"}, indexes: []int{1, 2}},
		[]option{{names: []string{"-t", "--time"}, label: "SECONDS", value: &seconds, check: isInt}}, severalContainers); err != nil || *seconds != "5" {
		t.Errorf("-t=5: %v %v", err, seconds)
	}
}

func TestCredentialEntriesAsJacksonReadsThem(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.json")
	for content, want := range map[string]string{
		// an entry that is not an object is skipped, not the whole file
		`{"auths": {"https://index.docker.io/v1/": "x", "docker.io": {"auth": "dXNlcjpwdw=="}}}`: "user/pw",
		// unpadded base64, as Java's decoder takes it
		`{"auths": {"docker.io": {"auth": "dXNlcjpwdw"}}}`: "user/pw",
	} {
		os.WriteFile(file, []byte(content), 0o600)
		c, err := findCredentials(file, "docker.io")
		if err != nil || c == nil || c.username+"/"+c.secret != want {
			t.Errorf("%s: %v %v", content, c, err)
		}
	}
	os.WriteFile(file, []byte(`{"auths": {"docker.io": {"auth": 12}}}`), 0o600)
	if _, err := findCredentials(file, "docker.io"); err == nil || !strings.Contains(err.Error(), "is not user:password") {
		t.Errorf("a number: %v", err)
	}
	os.WriteFile(file, []byte("  \n"), 0o600)
	if _, err := findCredentials(file, "docker.io"); err == nil || err.Error() != file+": not a JSON object" {
		t.Errorf("blank: %v", err)
	}
	dir := t.TempDir()
	if _, err := findCredentials(dir, "docker.io"); err == nil || err.Error() != dir+": cannot read: Is a directory" {
		t.Errorf("a directory: %v", err)
	}
}
