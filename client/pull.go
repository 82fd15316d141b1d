package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	v1 "enviro.dev/api/enviro/v1"
	"golang.org/x/sys/unix"
)

const pullUsage = `Usage: enviro pull [-hqV] [--platform=OS/ARCH[/VARIANT]] IMAGE
Pull an image from a registry.
      IMAGE
  -h, --help      Show this help message and exit.
      --platform=OS/ARCH[/VARIANT]
                  The platform to pull from a multi-platform image (default: the
                    engine's).
  -q, --quiet     Print only the image's name.
`

// pull: as docker, the client sends the credentials it holds for the reference's registry (from
// ~/.docker/config.json, written by `enviro login`); the engine keeps none of its own.
func pull(c *command, args verbArgs) error {
	var platform string
	var quiet bool
	params, err := parseVerb("pull", args, []option{
		{names: []string{"--platform"}, label: "OS/ARCH[/VARIANT]", value: &platform},
		{names: []string{"-q", "--quiet"}, flag: &quiet},
	}, []string{"IMAGE"})
	if err != nil {
		return err
	}
	reference := params[0]
	registry, err := registryOf(reference)
	if err != nil {
		return usageError{err.Error()}
	}
	creds, err := findCredentials(dockerConfigPath(c.env), registry)
	if err != nil {
		return usageError{err.Error()}
	}
	e, err := c.connect()
	if err != nil {
		return err
	}
	defer e.Close()

	request := &v1.PullRequest{Reference: reference, Platform: platform}
	if creds != nil {
		request.Username, request.Password = creds.username, creds.secret
	}
	out := c.out
	if quiet {
		out = io.Discard
	}
	view := newPullView(out, !quiet && isTerminal(0) && isTerminal(1) && c.out == stdout)
	stream, err := e.api.Pull(context.Background(), request)
	if err != nil {
		return e.callError(err, nil)
	}
	var image *v1.Image
	for image == nil {
		u, err := stream.Recv()
		if err == io.EOF {
			return usageError{"the engine ended the pull without the image; see 'enviro images'"}
		}
		if err != nil {
			return e.callError(err, stream.Trailer())
		}
		image = view.show(u)
	}
	// the reference pulled, in full, as docker prints it (the image may have other names too)
	full, _ := normalizeName(strings.TrimSpace(reference))
	fmt.Fprintf(out, "Status: Downloaded image %s (%s)\n", full, image.ManifestDigest)
	if quiet {
		fmt.Fprintln(c.out, full)
	}
	return nil
}

// isTerminal: whether fd is a terminal (TCGETS answers).
func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
