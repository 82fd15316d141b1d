// Command enviro-client is the native half of the enviro command: the verbs a user types most
// often, run without starting a JVM (~5 ms instead of ~180 ms before the first byte of an answer).
// bin/enviro hands it the verbs it knows (see verbs below); every other verb, and the daemon, run
// in the Java CLI. Output, errors and exit codes are the Java CLI's, line for line: the e2e suite
// runs through this binary and ClientParityIT holds the two to the same text.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// A verb: its usage text, and what it does with its arguments once the root options are gone.
type verb struct {
	usage string
	run   func(c *command, args verbArgs) error
}

// verbArgs: a verb's own arguments, each with its index on the whole command line (for the messages
// that name an argument by its place, as picocli's do).
type verbArgs struct {
	values  []string
	indexes []int
}

var verbs = map[string]verb{
	"ps":     {usage["ps"], ps},
	"images": {usage["images"], images},
	"pull":   {usage["pull"], pull},
	"run":    {usage["run"], run},
	"exec":   {usage["exec"], exec},
	"logs":   {usage["logs"], logs},
	"stop":   {usage["stop"], stop},
	"kill":   {usage["kill"], kill},
	"rm":     {usage["rm"], rm},
	"wait":   {usage["wait"], wait},
}

// What one invocation shares: where it prints, its environment and the root options.
type command struct {
	out, err io.Writer
	lookup   func(string) (string, bool) // the environment
	host     string
}

func (c *command) getenv(key string) string {
	v, _ := c.lookup(key)
	return v
}

func main() {
	// A closed stdout (enviro logs | head) makes writes fail, not the process end: as the Java CLI,
	// which keeps reading (a run keeps draining its container's output to its end).
	signal.Ignore(syscall.SIGPIPE)
	c := &command{out: stdout, err: os.Stderr, lookup: os.LookupEnv}
	os.Exit(c.execute(os.Args[1:]))
}

// execute runs one command line and answers its exit code.
func (c *command) execute(args []string) int {
	name, rest, err := c.rootOptions(args)
	if err != nil {
		return c.report(err)
	}
	v, ok := verbs[name]
	if !ok {
		// bin/enviro sends only the verbs above; anything else is a caller's mistake.
		return c.report(usageError{fmt.Sprintf("'%s' is not a verb of the native client: run it through bin/enviro", name)})
	}
	if err := v.run(c, rest); err != nil {
		if code, ok := err.(exitStatus); ok {
			return int(code)
		}
		if err == errHelp {
			fmt.Fprint(c.out, v.usage)
			return 0
		}
		if err == errVersion {
			return 0
		}
		return c.report(err)
	}
	return 0
}

// rootOptions takes --host and --state-dir (the latter means nothing to a client verb, as in the Java
// CLI) from before the verb, the first other word; the verb's own parser takes them after it.
func (c *command) rootOptions(args []string) (string, verbArgs, error) {
	var name string
	var rest verbArgs
	for i := 0; i < len(args); i++ {
		a := args[i]
		if name != "" {
			rest.values = append(rest.values, a)
			rest.indexes = append(rest.indexes, i)
			continue
		}
		key, value, inline := strings.Cut(a, "=")
		if key == "--host" || key == "--state-dir" {
			if !inline {
				if i+1 >= len(args) {
					return "", rest, usageError{fmt.Sprintf("Missing required parameter for option '%s'", key)}
				}
				i++
				value = args[i]
			}
			if key == "--host" {
				c.host = value
			}
			continue
		}
		if name == "" && !strings.HasPrefix(a, "-") {
			name = a
			continue
		}
		rest.values = append(rest.values, a)
		rest.indexes = append(rest.indexes, i)
	}
	if name == "" {
		return "", rest, usageError{"a command is required. See 'enviro --help'."}
	}
	return name, rest, nil
}

// report prints the one line a failure deserves and answers the exit code (Docker's convention: 125
// when the engine or the command line failed).
func (c *command) report(err error) int {
	switch e := err.(type) {
	case *engineError:
		fmt.Fprintln(c.err, "Error: "+e.message)
		return e.exitCode
	default:
		fmt.Fprintln(c.err, "Error: "+err.Error())
		return exitEngine
	}
}

const exitEngine = 125

// A command line that cannot be used; the message names the value and what is expected.
type usageError struct{ message string }

func (e usageError) Error() string { return e.message }

// stdout: the process's own standard output (a progress view redraws only there, on a terminal).
var stdout io.Writer = os.Stdout
