package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	v1 "enviro.dev/api/enviro/v1"
	"google.golang.org/grpc/codes"
)

// runFlags: run's options, as the Java CLI's RunCommand and its mixins (SecurityFlags, StorageFlags,
// ResourceOptions) declare them. A pointer is nil when the option was not given.
type runFlags struct {
	remove, detach, tty, interactive, privileged, readOnly, init                  bool
	name, workdir, user, entrypoint, hostname, restart                            *string
	memory, memorySwap, cpus, cpuShares, cpusetCpus, pidsLimit, oomScoreAdj       *string
	env, envFiles, capAdd, capDrop, securityOpt, ulimits, volumes, tmpfs, logOpts []string
}

func (f *runFlags) options() []option {
	flag := func(p *bool, names ...string) option { return option{names: names, flag: p} }
	value := func(p **string, label string, names ...string) option {
		return option{names: names, label: label, value: p}
	}
	list := func(p *[]string, label string, names ...string) option {
		return option{names: names, label: label, list: p}
	}
	return []option{
		flag(&f.remove, "--rm"), flag(&f.detach, "-d", "--detach"), flag(&f.tty, "-t", "--tty"),
		flag(&f.interactive, "-i", "--interactive"), value(&f.name, "NAME", "--name"),
		list(&f.env, "KEY[=VALUE]", "-e", "--env"), value(&f.workdir, "DIR", "-w", "--workdir"),
		value(&f.user, "USER[:GROUP]", "-u", "--user"), value(&f.entrypoint, "CMD", "--entrypoint"),
		value(&f.hostname, "NAME", "-h", "--hostname"), value(&f.restart, "POLICY", "--restart"),
		{names: []string{"--cap-add"}, label: "CAP", list: &f.capAdd, split: ","},
		{names: []string{"--cap-drop"}, label: "CAP", list: &f.capDrop, split: ","},
		flag(&f.privileged, "--privileged"), list(&f.securityOpt, "OPT", "--security-opt"),
		list(&f.ulimits, "NAME=SOFT[:HARD]", "--ulimit"), list(&f.volumes, "HOST:CTR[:ro|rw]", "-v", "--volume"),
		list(&f.tmpfs, "CTR[:OPTIONS]", "--tmpfs"), flag(&f.readOnly, "--read-only"),
		list(&f.logOpts, "KEY=VALUE", "--log-opt"), flag(&f.init, "--init"), list(&f.envFiles, "FILE", "--env-file"),
		value(&f.memory, "BYTES", "-m", "--memory"), value(&f.memorySwap, "BYTES", "--memory-swap"),
		value(&f.cpus, "N", "--cpus"), value(&f.cpuShares, "N", "--cpu-shares"),
		value(&f.cpusetCpus, "LIST", "--cpuset-cpus"), value(&f.pidsLimit, "N", "--pids-limit"),
		value(&f.oomScoreAdj, "N", "--oom-score-adj"),
	}
}

// run: create, start and attach in one call; ends with the container's exit code. A run with a
// terminal (-t, -i) is handed to the Java CLI, which has the terminal session.
func run(c *command, args verbArgs) error {
	var f runFlags
	params, err := c.parseSyntax("run", args, f.options(), verbSyntax{
		positional: []string{"IMAGE"}, help: []string{"--help"}, stopAtPositional: true, varargs: true})
	if err != nil {
		return err
	}
	if (f.tty || f.interactive) && !f.detach {
		return c.handToJava()
	}
	spec, err := f.spec(params[0], params[1:], c.lookup)
	if err != nil {
		return err
	}
	return c.withEngine(func(e *engine) error {
		events, err := runPulling(c, e, spec, f.detach)
		if err != nil {
			return err
		}
		if f.detach {
			fmt.Fprintln(c.out, events.first.GetStarted().GetId())
			for {
				if _, err := events.next(); err == io.EOF {
					return nil
				} else if err != nil {
					return err // a failure after the start (its exit code from the engine's trailer)
				}
			}
		}
		return attach(c, e, events)
	})
}

var containerName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// spec: the container the flags describe; values the engine would refuse are refused here, before
// any call, with the Java CLI's words and in its order.
func (f *runFlags) spec(image string, command []string, lookup func(string) (string, bool)) (*v1.ContainerSpec, error) {
	s := &v1.ContainerSpec{Image: image, Command: command, AutoRemove: f.remove, Tty: f.tty, Interactive: f.interactive}
	if f.restart != nil {
		policy, err := restartPolicy(*f.restart)
		if err != nil {
			return nil, err
		}
		s.RestartPolicy = policy
		if f.remove && *f.restart != "no" {
			return nil, usageError{"--rm and --restart " + *f.restart + " conflict: a removed container cannot be restarted; choose one"}
		}
	}
	if f.name != nil {
		if !containerName.MatchString(*f.name) {
			return nil, usageError{"invalid container name '" + *f.name + "': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"}
		}
		s.Name = *f.name
	}
	fromFiles, err := envFromFiles(f.envFiles, lookup)
	if err != nil {
		return nil, err
	}
	s.Env = fromFiles
	for _, variable := range f.env {
		eq := strings.Index(variable, "=")
		if eq == 0 || variable == "" {
			return nil, usageError{"invalid environment variable '" + variable + "': expected KEY=VALUE or KEY"}
		}
		if eq > 0 {
			s.Env = append(s.Env, variable)
		} else if v, ok := lookup(variable); ok {
			s.Env = append(s.Env, variable+"="+v)
		}
	}
	if f.workdir != nil {
		if !strings.HasPrefix(*f.workdir, "/") {
			return nil, usageError{"invalid working directory '" + *f.workdir + "': it must be an absolute path"}
		}
		s.Workdir = *f.workdir
	}
	if f.user != nil {
		if *f.user == "" {
			return nil, usageError{"invalid user '': expected a name or uid, optionally :group"}
		}
		s.User = *f.user
	}
	if f.entrypoint != nil {
		s.OverrideEntrypoint = true
		if *f.entrypoint != "" {
			s.Entrypoint = []string{*f.entrypoint}
		}
	}
	if f.hostname != nil {
		s.Hostname = *f.hostname
	}
	if err := f.security(s); err != nil {
		return nil, err
	}
	if err := f.storage(s); err != nil {
		return nil, err
	}
	resources, err := f.resources()
	if err != nil {
		return nil, err
	}
	s.Resources = resources
	return s, nil
}

// restartPolicy: no, on-failure[:N], always, unless-stopped, written back as the engine records it.
func restartPolicy(text string) (string, error) {
	if strings.TrimSpace(text) == "" || text == "no" {
		return "no", nil
	}
	mode, count, counted := strings.Cut(text, ":")
	switch mode {
	case "on-failure", "always", "unless-stopped":
	default:
		return "", usageError{"invalid restart policy '" + text + "': use no, on-failure[:N], always or unless-stopped"}
	}
	if !counted {
		return mode, nil
	}
	if mode != "on-failure" {
		return "", usageError{"invalid restart policy '" + text + "': only on-failure takes a count"}
	}
	n, err := strconv.ParseInt(count, 10, 32)
	if err != nil {
		return "", usageError{"invalid restart policy '" + text + "': the count must be a number"}
	}
	if n < 0 {
		return "", usageError{"the maximum retry count must not be negative: " + strconv.FormatInt(n, 10)}
	}
	if n == 0 {
		return "on-failure", nil
	}
	return "on-failure:" + strconv.FormatInt(n, 10), nil
}

// security: a seccomp profile path is read here, as Docker's client does (the journal keeps its content).
func (f *runFlags) security(s *v1.ContainerSpec) error {
	opts := &v1.SecurityOptions{CapAdd: f.capAdd, CapDrop: f.capDrop, Privileged: f.privileged, Ulimit: f.ulimits}
	for _, opt := range f.securityOpt {
		if strings.HasPrefix(opt, "seccomp=") && opt != "seccomp=unconfined" && !strings.HasPrefix(opt, "seccomp={") {
			profile := strings.TrimPrefix(opt, "seccomp=")
			content, err := readFile(profile)
			if err == nil && !utf8.Valid(content) {
				err = errMalformed
			}
			if err != nil {
				return usageError{"--security-opt " + opt + ": cannot read " + javaPath(profile) + ": " + javaIOMessage(err)}
			}
			opts.SecurityOpt = append(opts.SecurityOpt, "seccomp="+string(content))
		} else {
			opts.SecurityOpt = append(opts.SecurityOpt, opt)
		}
	}
	if len(opts.CapAdd)+len(opts.CapDrop)+len(opts.SecurityOpt)+len(opts.Ulimit) > 0 || f.privileged {
		s.Security = opts
	}
	return nil
}

func (f *runFlags) storage(s *v1.ContainerSpec) error {
	for _, v := range f.volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return usageError{"invalid volume '" + v + "': expected HOST-PATH:CONTAINER-PATH[:ro|rw]"}
		}
		if !strings.HasPrefix(parts[0], "/") {
			return usageError{"invalid volume '" + v + "': the host path must be absolute (named volumes are not supported)"}
		}
		if !strings.HasPrefix(parts[1], "/") {
			return usageError{"invalid volume '" + v + "': the container path must be absolute"}
		}
	}
	for _, t := range f.tmpfs {
		if !strings.HasPrefix(t, "/") {
			return usageError{"invalid tmpfs '" + t + "': the container path must be absolute"}
		}
	}
	for _, o := range f.logOpts {
		if strings.Index(o, "=") <= 0 {
			return usageError{"invalid --log-opt '" + o + "': expected KEY=VALUE (max-size=10m, max-file=3)"}
		}
	}
	s.Volumes, s.Tmpfs, s.ReadOnly, s.LogOpts, s.Init = f.volumes, f.tmpfs, f.readOnly, f.logOpts, f.init
	return nil
}

// envFromFiles: the variables of the --env-file files, in order, read as Docker's client does: blank
// lines and lines starting with # are skipped, KEY alone takes this shell's value (skipped when unset).
func envFromFiles(files []string, lookup func(string) (string, bool)) ([]string, error) {
	var env []string
	for _, file := range files {
		content, err := readFile(file)
		if err == nil && !utf8.Valid(content) {
			err = errMalformed
		}
		if err != nil {
			return nil, usageError{"--env-file " + file + ": cannot read it: " + javaIOMessage(err)}
		}
		lines := strings.Split(string(content), "\n")
		if len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		for i, raw := range lines {
			line := strings.TrimLeft(strings.TrimSuffix(raw, "\r"), " \t")
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			eq := strings.Index(line, "=")
			if eq == 0 {
				return nil, usageError{fmt.Sprintf("--env-file %s:%d: expected KEY=VALUE, got '%s'", file, i+1, line)}
			}
			if eq > 0 {
				env = append(env, line)
			} else if v, ok := lookup(strings.TrimSpace(line)); ok {
				env = append(env, strings.TrimSpace(line)+"="+v)
			}
		}
	}
	return env, nil
}

// javaIOMessage: what java.nio's exception says of a failed read, so both clients print the same
// line: the path (as java.nio.file.Path spells it) when it is missing or not allowed, else the
// kernel's reason.
func javaIOMessage(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) && (errors.Is(pe.Err, fs.ErrNotExist) || errors.Is(pe.Err, fs.ErrPermission)) {
		return javaPath(pe.Path)
	}
	return ioReason(err)
}

// javaPath: a path as java.nio.file.Path prints it (repeated and trailing slashes dropped, no other change).
func javaPath(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

// errMalformed: a file that is not UTF-8, as java.nio's decoder words it (for the first bad byte).
var errMalformed = errors.New("Input length = 1")

// readFile reads a file named on the command line; "" is the working directory, as java.nio reads it.
func readFile(name string) ([]byte, error) {
	if name == "" {
		name = "."
	}
	return os.ReadFile(name)
}

var (
	sizePattern = regexp.MustCompile(`^(?i)([0-9]+)([bkmg]?)b?$`)
	cpusPattern = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?|\.[0-9]+)$`)
)

// resources: the resource flags in Docker's spelling and units (the Java side's Resources.parseBytes,
// parseCpus); ranges, which depend on the host, are the engine's to check.
func (f *runFlags) resources() (*v1.Resources, error) {
	r := &v1.Resources{}
	var err error
	if f.memory != nil {
		if r.MemoryBytes, err = parseBytes("--memory", *f.memory); err != nil {
			return nil, err
		}
	}
	if f.memorySwap != nil {
		if strings.TrimSpace(*f.memorySwap) == "-1" {
			r.MemorySwapBytes = -1
		} else if r.MemorySwapBytes, err = parseBytes("--memory-swap", *f.memorySwap); err != nil {
			return nil, err
		}
	}
	if f.cpus != nil {
		if r.NanoCpus, err = parseCpus(*f.cpus); err != nil {
			return nil, err
		}
	}
	if f.cpuShares != nil {
		if r.CpuShares, err = wholeNumber("--cpu-shares", *f.cpuShares); err != nil {
			return nil, err
		}
	}
	if f.cpusetCpus != nil {
		r.CpusetCpus = *f.cpusetCpus
	}
	if f.pidsLimit != nil {
		limit, err := wholeNumber("--pids-limit", *f.pidsLimit)
		if err != nil {
			return nil, err
		}
		// Docker reads 0 as unlimited too; on the wire 0 means "unset", so unlimited travels as -1
		if limit <= 0 {
			limit = -1
		}
		r.PidsLimit = limit
	}
	if f.oomScoreAdj != nil {
		n, err := wholeNumber("--oom-score-adj", *f.oomScoreAdj)
		if err != nil {
			return nil, err
		}
		adj := int32(n)
		r.OomScoreAdj = &adj
	}
	return r, nil
}

func parseBytes(flag, text string) (int64, error) {
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return 0, usageError{"invalid size for " + flag + ": '" + text + "': expected a number with an optional unit b, k, m or g (e.g. 512m)"}
	}
	shift := map[string]uint{"k": 10, "m": 20, "g": 30}[strings.ToLower(m[2])]
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > (1<<63-1)>>shift {
		return 0, usageError{"invalid size for " + flag + ": '" + text + "' is too large"}
	}
	return n << shift, nil
}

func parseCpus(text string) (int64, error) {
	t := strings.TrimSpace(text)
	if !cpusPattern.MatchString(t) {
		return 0, usageError{"invalid value for --cpus: '" + text + "': expected a number of CPUs such as 1.5"}
	}
	whole, fraction, _ := strings.Cut(t, ".")
	fraction = strings.TrimRight(fraction, "0")
	if len(fraction) > 9 {
		return 0, usageError{"invalid value for --cpus: '" + text + "': use at most 9 decimals"}
	}
	digits := strings.TrimLeft(whole+fraction+strings.Repeat("0", 9-len(fraction)), "0")
	if digits == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, usageError{"invalid value for --cpus: '" + text + "': use at most 9 decimals"}
	}
	return n, nil
}

func wholeNumber(flag, text string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil {
		return 0, usageError{"invalid value for " + flag + ": '" + text + "': expected a whole number"}
	}
	return n, nil
}

// runStream: the events of one run, its first already read.
type runStream struct {
	first  *v1.RunEvent
	taken  bool
	stream v1.Enviro_RunClient
	engine *engine
}

func (r *runStream) next() (*v1.RunEvent, error) {
	if !r.taken {
		r.taken = true
		return r.first, nil
	}
	ev, err := r.stream.Recv()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		return nil, r.engine.callError(err, r.stream.Trailer())
	}
	return ev, nil
}

// runPulling: a run of an image that is not in the store pulls it first, as the docker CLI does
// (progress on stderr, so stdout stays the container's), then runs again.
func runPulling(c *command, e *engine, spec *v1.ContainerSpec, detach bool) (*runStream, error) {
	first, stream, err := e.startRun(spec, detach)
	if err == nil {
		return &runStream{first: first, stream: stream, engine: e}, nil
	}
	if !isMissingImage(err) {
		return nil, err
	}
	creds, err := c.credentialsFor(spec.Image)
	if err != nil {
		return nil, err
	}
	view := newPullView(c.err, false).holding("Unable to find image '" + spec.Image + "' locally")
	if _, pullErr := e.pull(spec.Image, "", creds, view); pullErr != nil {
		ee, fromEngine := pullErr.(*engineError)
		if !fromEngine || ee.unreachable {
			return nil, pullErr
		}
		// one line: the image is neither here nor pullable, and why
		return nil, usageError{`image "` + spec.Image + `" not found locally, and pulling it failed: ` + ee.message}
	}
	first, stream, err = e.startRun(spec, detach)
	if err != nil {
		return nil, err
	}
	return &runStream{first: first, stream: stream, engine: e}, nil
}

// startRun sends the Run call and reads its first event (a refusal arrives there).
func (e *engine) startRun(spec *v1.ContainerSpec, detach bool) (*v1.RunEvent, v1.Enviro_RunClient, error) {
	stream, err := e.api.Run(context.Background(), &v1.RunRequest{Spec: spec, Detach: detach})
	if err != nil {
		return nil, nil, e.callError(err, nil)
	}
	first, err := stream.Recv()
	if err == io.EOF {
		return nil, nil, usageError{"the engine ended the run without the container's exit status; see 'enviro ps -a'"}
	}
	if err != nil {
		return nil, nil, e.callError(err, stream.Trailer())
	}
	return first, stream, nil
}

// isMissingImage: the store's NOT_FOUND for an image reads `image "NAME" not found: ...`.
func isMissingImage(err error) bool {
	ee, ok := err.(*engineError)
	return ok && ee.code == codes.NotFound && strings.HasPrefix(ee.message, `image "`)
}

// attach writes the output as it comes and answers the exit code. Once started, SIGINT, SIGTERM and
// SIGHUP go to the container (as Docker's sig-proxy): the run ends when it exits.
func attach(c *command, e *engine, events *runStream) error {
	signals := make(chan os.Signal, 4)
	defer signal.Stop(signals)
	for {
		ev, err := events.next()
		if err == io.EOF {
			return usageError{"the engine ended the run without the container's exit status; see 'enviro ps -a'"}
		}
		if err != nil {
			return err
		}
		switch x := ev.Event.(type) {
		case *v1.RunEvent_Started:
			id := x.Started.GetId()
			// (a signal the caller ignores, as nohup does SIGHUP, stays ignored: it is not forwarded)
			for _, s := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
				if !signal.Ignored(s) {
					signal.Notify(signals, s)
				}
			}
			go func() {
				for s := range signals {
					// the container may have exited meanwhile; the run's end says what happened
					e.api.Kill(context.Background(), &v1.KillRequest{Ref: id, Signal: int32(s.(syscall.Signal))})
				}
			}()
		case *v1.RunEvent_Output:
			c.write(x.Output)
		case *v1.RunEvent_Exit:
			return exitStatus(x.Exit.GetCode())
		}
	}
}

// handToJava runs this command line in the Java CLI (the verbs and modes this client does not have).
func (c *command) handToJava() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	launcher := filepath.Join(filepath.Dir(self), "..", "..", "bin", "enviro")
	if _, err := os.Stat(launcher); err != nil {
		return usageError{"a terminal session needs the Java CLI, and " + launcher + " is not there: run this client from its checkout (client/target)"}
	}
	// bin/enviro unsets it before starting the Java CLI, so the container's environment never sees it
	env := append(os.Environ(), "ENVIRO_NATIVE_HANDOFF=1")
	return syscall.Exec(launcher, append([]string{launcher}, os.Args[1:]...), env)
}

// exitStatus: the container's exit code, which becomes this process's.
type exitStatus int

func (e exitStatus) Error() string { return "exit status " + strconv.Itoa(int(e)) }
