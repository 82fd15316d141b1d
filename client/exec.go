package main

import (
	"context"
	"io"
	"strings"

	v1 "enviro.dev/api/enviro/v1"
)

// exec: one more process in a running container; ends with its exit code. With a terminal (-t, -i)
// it is handed to the Java CLI, which has the terminal session (as for run).
func exec(c *command, args verbArgs) error {
	var env []string
	var user, workdir *string
	var tty, interactive bool
	params, err := c.parseSyntax("exec", args, []option{
		{names: []string{"-e", "--env"}, label: "KEY[=VALUE]", list: &env},
		{names: []string{"-u", "--user"}, label: "USER[:GROUP]", value: &user},
		{names: []string{"-w", "--workdir"}, label: "DIR", value: &workdir},
		{names: []string{"-t", "--tty"}, flag: &tty},
		{names: []string{"-i", "--interactive"}, flag: &interactive},
	}, verbSyntax{positional: []string{"CONTAINER", "COMMAND"}, help: []string{"--help"}, stopAtPositional: true, varargs: true})
	if err != nil {
		return err
	}
	request := &v1.ExecRequest{Ref: params[0], Command: params[1:], Tty: tty, Interactive: interactive}
	for _, variable := range env {
		eq := strings.Index(variable, "=")
		if eq == 0 || variable == "" {
			return usageError{"invalid environment variable '" + variable + "': expected KEY=VALUE or KEY"}
		}
		if eq > 0 {
			request.Env = append(request.Env, variable)
		} else if v, ok := c.lookup(variable); ok {
			request.Env = append(request.Env, variable+"="+v)
		}
	}
	if user != nil {
		if *user == "" {
			return usageError{"invalid user '': expected a name or uid, optionally :group"}
		}
		request.User = *user
	}
	if workdir != nil {
		if !strings.HasPrefix(*workdir, "/") {
			return usageError{"invalid working directory '" + *workdir + "': it must be an absolute path"}
		}
		request.Workdir = *workdir
	}
	if tty || interactive {
		return c.handToJava()
	}
	return c.withEngine(func(e *engine) error {
		stream, err := e.api.Exec(context.Background(), request)
		if err != nil {
			return e.callError(err, nil)
		}
		for {
			event, err := stream.Recv()
			if err == io.EOF {
				return usageError{"the engine ended the exec without its exit status"}
			}
			if err != nil {
				return e.callError(err, stream.Trailer())
			}
			switch x := event.Event.(type) {
			case *v1.RunEvent_Output:
				c.write(x.Output)
			case *v1.RunEvent_Exit:
				return exitStatus(x.Exit.GetCode())
			}
		}
	})
}
