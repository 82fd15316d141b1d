package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	v1 "enviro.dev/api/enviro/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// The verbs over containers that are one call each (the Java CLI's StopCommand, KillCommand,
// RmCommand, WaitCommand, LogsCommand, and EachContainer for the first three).

// severalContainers: CONTAINER... (at least one), picocli's arity 1..*.
var severalContainers = verbSyntax{positional: []string{"CONTAINER"}, help: []string{"-h", "--help"}, varargs: true}

func stop(c *command, args verbArgs) error {
	var seconds *string
	refs, err := c.parseSyntax("stop", args, []option{{names: []string{"-t", "--time"}, label: "SECONDS", value: &seconds, check: isInt}}, severalContainers)
	if err != nil {
		return err
	}
	request := func(ref string) *v1.StopRequest { return &v1.StopRequest{Ref: ref} }
	if seconds != nil {
		n, _ := strconv.ParseInt(*seconds, 10, 32)
		if n < 0 {
			return usageError{"invalid stop timeout " + strconv.FormatInt(n, 10) + ": it must not be negative"}
		}
		grace := int32(n)
		request = func(ref string) *v1.StopRequest { return &v1.StopRequest{Ref: ref, GraceSeconds: &grace} }
	}
	return c.eachContainer(refs, func(e *engine, ref string, trailer *metadata.MD) error {
		_, err := e.api.Stop(context.Background(), request(ref), grpc.Trailer(trailer))
		return err
	})
}

func kill(c *command, args verbArgs) error {
	signalName := new(string)
	*signalName = "KILL"
	refs, err := c.parseSyntax("kill", args, []option{{names: []string{"-s", "--signal"}, label: "SIGNAL", value: &signalName}}, severalContainers)
	if err != nil {
		return err
	}
	number, err := parseSignal(*signalName)
	if err != nil {
		return err
	}
	return c.eachContainer(refs, func(e *engine, ref string, trailer *metadata.MD) error {
		_, err := e.api.Kill(context.Background(), &v1.KillRequest{Ref: ref, Signal: int32(number)}, grpc.Trailer(trailer))
		return err
	})
}

func rm(c *command, args verbArgs) error {
	var force bool
	refs, err := c.parseSyntax("rm", args, []option{{names: []string{"-f", "--force"}, flag: &force}}, severalContainers)
	if err != nil {
		return err
	}
	return c.eachContainer(refs, func(e *engine, ref string, trailer *metadata.MD) error {
		_, err := e.api.Remove(context.Background(), &v1.RemoveRequest{Ref: ref, Force: force}, grpc.Trailer(trailer))
		return err
	})
}

// eachContainer acts on each container, prints each name that succeeded and one error line per
// failure, and ends with 125 if any failed, as Docker does. No engine at all: one line, at once.
func (c *command) eachContainer(refs []string, action func(e *engine, ref string, trailer *metadata.MD) error) error {
	return c.withEngine(func(e *engine) error {
		failed := false
		for _, ref := range refs {
			var trailer metadata.MD
			if err := action(e, ref, &trailer); err != nil {
				failure := e.callError(err, trailer)
				if ee, ok := failure.(*engineError); ok && ee.unreachable {
					return failure
				}
				fmt.Fprintln(c.err, "Error: "+messageOf(failure))
				failed = true
				continue
			}
			fmt.Fprintln(c.out, ref)
		}
		if failed {
			return exitStatus(exitEngine)
		}
		return nil
	})
}

// isInt: picocli's conversion of an int option's value.
func isInt(v string) string {
	if _, err := strconv.ParseInt(v, 10, 32); err != nil {
		return "is not an int"
	}
	return ""
}

func messageOf(err error) string {
	if ee, ok := err.(*engineError); ok {
		return ee.message
	}
	return err.Error()
}

func wait(c *command, args verbArgs) error {
	refs, err := c.parseVerb("wait", args, nil, []string{"CONTAINER"})
	if err != nil {
		return err
	}
	return c.withEngine(func(e *engine) error {
		var trailer metadata.MD
		r, err := e.api.Wait(context.Background(), &v1.WaitRequest{Ref: refs[0]}, grpc.Trailer(&trailer))
		if err != nil {
			return e.callError(err, trailer)
		}
		fmt.Fprintln(c.out, r.ExitCode)
		return nil
	})
}

// logs: the container's output, stdout to stdout and stderr to stderr; with -f until it exits.
func logs(c *command, args verbArgs) error {
	var follow bool
	refs, err := c.parseVerb("logs", args, []option{{names: []string{"-f", "--follow"}, flag: &follow}}, []string{"CONTAINER"})
	if err != nil {
		return err
	}
	return c.withEngine(func(e *engine) error {
		stream, err := e.api.Logs(context.Background(), &v1.LogsRequest{Ref: refs[0], Follow: follow})
		if err != nil {
			return e.callError(err, nil)
		}
		for {
			chunk, err := stream.Recv()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return e.callError(err, stream.Trailer())
			}
			c.write(chunk)
		}
	})
}

// write puts a chunk of a container's output on the stream it came from.
func (c *command) write(chunk *v1.LogChunk) {
	target := c.out
	if chunk.GetStream() == v1.LogChunk_STDERR {
		target = c.err
	}
	target.Write(chunk.GetData()) // a closed pipe shows in the exit, as for any filter
}

// Linux signal names and numbers, as kill -s and the Java CLI's Signals accept them.
var signalNumbers = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
	"USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
	"CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
	"VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
}

const sigRtMin, sigRtMax = 34, 64

// parseSignal: KILL, SIGKILL, kill, 9, RTMIN+3.
func parseSignal(text string) (int, error) {
	name := strings.TrimPrefix(strings.ToUpper(text), "SIG")
	if n, err := strconv.Atoi(name); err == nil {
		if n >= 1 && n <= sigRtMax {
			return n, nil
		}
	} else if n, ok := signalNumbers[name]; ok {
		return n, nil
	} else if n, ok := realtimeSignal(name); ok {
		return n, nil
	}
	return 0, usageError{"invalid signal '" + text + "': expected a name such as TERM or KILL, or a number from 1 to 64"}
}

func realtimeSignal(name string) (int, bool) {
	switch {
	case name == "RTMIN":
		return sigRtMin, true
	case name == "RTMAX":
		return sigRtMax, true
	case strings.HasPrefix(name, "RTMIN+"):
		if k, err := strconv.Atoi(name[6:]); err == nil && sigRtMin+k <= sigRtMax {
			return sigRtMin + k, true
		}
	case strings.HasPrefix(name, "RTMAX-"):
		if k, err := strconv.Atoi(name[6:]); err == nil && sigRtMax-k >= sigRtMin {
			return sigRtMax - k, true
		}
	}
	return 0, false
}
