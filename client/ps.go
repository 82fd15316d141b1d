package main

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	v1 "enviro.dev/api/enviro/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ps: running containers, or all with -a.
func ps(c *command, args verbArgs) error {
	var all, quiet bool
	if _, err := c.parseVerb("ps", args, []option{
		{names: []string{"-a", "--all"}, flag: &all},
		{names: []string{"-q", "--quiet"}, flag: &quiet},
	}, nil); err != nil {
		return err
	}
	return c.withEngine(func(e *engine) error {
		var trailer metadata.MD
		r, err := e.api.List(context.Background(), &v1.ListRequest{All: all}, grpc.Trailer(&trailer))
		if err != nil {
			return e.callError(err, trailer)
		}
		if quiet {
			var ids strings.Builder
			for _, ct := range r.Containers {
				ids.WriteString(shortContainerID(ct.Id) + "\n")
			}
			c.out.Write([]byte(ids.String()))
			return nil
		}
		containerTable(r.Containers, time.Now()).print(c.out)
		return nil
	})
}

func containerTable(containers []*v1.Container, now time.Time) *table {
	t := newTable("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES")
	for _, ct := range containers {
		created := ""
		if ct.CreatedAt != nil {
			created = humanDuration(now.Sub(ct.CreatedAt.AsTime())) + " ago"
		}
		t.add(shortContainerID(ct.Id), ct.Image, quotedCommand(ct.Argv), created, containerStatus(ct, now), ct.Name)
	}
	return t
}

func shortContainerID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// quotedCommand: Docker quotes the command and cuts it to 20 characters.
func quotedCommand(argv []string) string {
	command := strings.Join(argv, " ")
	if units := utf16.Encode([]rune(command)); len(units) > 20 {
		command = string(utf16.Decode(units[:19])) + "…"
	}
	return "\"" + command + "\""
}

func containerStatus(ct *v1.Container, now time.Time) string {
	since := func(ts *timestamppb.Timestamp) string { return humanDuration(now.Sub(ts.AsTime())) }
	switch ct.State {
	case v1.Container_RUNNING:
		s := "Up"
		if ct.StartedAt != nil {
			s += " " + since(ct.StartedAt)
		}
		if ct.Paused {
			s += " (Paused)"
		}
		return s
	case v1.Container_EXITED:
		s := "Exited (" + strconv.Itoa(int(ct.GetExitCode())) + ")"
		if ct.FinishedAt != nil {
			s += " " + since(ct.FinishedAt) + " ago"
		}
		return s
	case v1.Container_CREATED:
		return "Created"
	case v1.Container_REMOVED:
		return "Removed"
	}
	return "Unknown"
}
