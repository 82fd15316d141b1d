package main

import (
	"strings"
	"testing"
)

// As the Java CLI's CommandLineTest.signals.
func TestSignalsByNameOrNumber(t *testing.T) {
	for text, want := range map[string]int{"KILL": 9, "sigkill": 9, "SIGTERM": 15, "USR1": 10, "2": 2, "RTMIN+3": 37, "RTMAX": 64,
		"RTMAX-2": 62, "iot": 6} {
		if got, err := parseSignal(text); err != nil || got != want {
			t.Errorf("parseSignal(%q) = %d, %v; want %d", text, got, err, want)
		}
	}
	for _, text := range []string{"0", "65", "RTMIN+31", "BOGUS", ""} {
		if _, err := parseSignal(text); err == nil || err.Error() != "invalid signal '"+text+"': expected a name such as TERM or KILL, or a number from 1 to 64" {
			t.Errorf("parseSignal(%q): %v", text, err)
		}
	}
}

// Refused before any call, with the Java CLI's line; exit 125.
func TestContainerVerbCommandLines(t *testing.T) {
	for line, want := range map[string]string{
		"stop":                                 "Error: Missing required parameter: 'CONTAINER'. See 'enviro stop --help'.\n",
		"stop -t -1 c1":                        "Error: invalid stop timeout -1: it must not be negative\n",
		"stop -t soon c1":                      "Error: Invalid value for option '--time': 'soon' is not an int. See 'enviro stop --help'.\n",
		"kill -s BOGUS c1":                     "Error: invalid signal 'BOGUS': expected a name such as TERM or KILL, or a number from 1 to 64\n",
		"rm -x c1":                             "Error: Unknown option: '-x'. See 'enviro rm --help'.\n",
		"wait":                                 "Error: Missing required parameter: 'CONTAINER'. See 'enviro wait --help'.\n",
		"wait a b":                             "Error: Unmatched argument at index 2: 'b'. See 'enviro wait --help'.\n",
		"logs":                                 "Error: Missing required parameter: 'CONTAINER'. See 'enviro logs --help'.\n",
		"exec c1":                              "Error: Missing required parameter: 'COMMAND'. See 'enviro exec --help'.\n",
		"exec -e =x c1 true":                   "Error: invalid environment variable '=x': expected KEY=VALUE or KEY\n",
		"exec -w tmp c1 true":                  "Error: invalid working directory 'tmp': it must be an absolute path\n",
		"--host unix:///nowhere/x.sock rm a b": "Error: cannot reach the Enviro engine at unix:///nowhere/x.sock (connect: No such file or directory). Start one with 'enviro daemon' (or set ENVIRO_HOST).\n",
	} {
		code, out, errs := invoke(nil, strings.Fields(line)...)
		if code != 125 || out != "" || errs != want {
			t.Errorf("%s: %d %q %q; want %q", line, code, out, errs, want)
		}
	}
	for _, line := range []string{"stop --help", "kill -h", "rm --help", "wait --help", "logs -h", "exec --help"} {
		code, out, _ := invoke(nil, strings.Fields(line)...)
		if code != 0 || !strings.HasPrefix(out, "Usage: enviro "+strings.Fields(line)[0]) {
			t.Errorf("%s: %d %q", line, code, out)
		}
	}
}
