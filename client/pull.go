package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	v1 "enviro.dev/api/enviro/v1"
	"golang.org/x/sys/unix"
)

// pull: as docker, the client sends the credentials it holds for the reference's registry (from
// ~/.docker/config.json, written by `enviro login`); the engine keeps none of its own.
func pull(c *command, args verbArgs) error {
	var platform *string
	var quiet bool
	params, err := c.parseVerb("pull", args, []option{
		{names: []string{"--platform"}, label: "OS/ARCH[/VARIANT]", value: &platform},
		{names: []string{"-q", "--quiet"}, flag: &quiet},
	}, []string{"IMAGE"})
	if err != nil {
		return err
	}
	reference := params[0]
	// (a bad --host is named first, as the Java CLI's client is made before the credentials are read)
	if _, err := resolveAddress(c.host, c.getenv, os.Geteuid()); err != nil {
		return err
	}
	creds, err := c.credentialsFor(reference)
	if err != nil {
		return err
	}
	return c.withEngine(func(e *engine) error {
		out := c.out
		if quiet {
			out = io.Discard
		}
		view := newPullView(out, !quiet && c.out == stdout && isTerminal(0) && isTerminal(1))
		var p string
		if platform != nil {
			p = *platform
		}
		full, err := e.pull(reference, p, creds, view)
		if err != nil {
			return err
		}
		if quiet {
			fmt.Fprintln(c.out, full)
		}
		return nil
	})
}

// credentialsFor: what the user stored for the reference's registry; a reference that is not one,
// or a credential file that cannot be read, is one line.
func (c *command) credentialsFor(reference string) (*credentials, error) {
	registry, err := registryOf(reference)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	creds, err := findCredentials(dockerConfigPath(c.getenv), registry)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return creds, nil
}

// pull streams a Pull through view and prints the closing status line; answers the reference pulled,
// in full, as docker prints it (the image may have other names too).
func (e *engine) pull(reference, platform string, creds *credentials, view *pullView) (string, error) {
	request := &v1.PullRequest{Reference: reference, Platform: platform}
	if creds != nil {
		request.Username, request.Password = creds.username, creds.secret
	}
	stream, err := e.api.Pull(context.Background(), request)
	if err != nil {
		return "", e.callError(err, nil)
	}
	var image *v1.Image
	for image == nil {
		u, err := stream.Recv()
		if err == io.EOF {
			return "", usageError{"the engine ended the pull without the image; see 'enviro images'"}
		}
		if err != nil {
			return "", e.callError(err, stream.Trailer())
		}
		image = view.show(u)
	}
	full, _ := normalizeName(strings.TrimSpace(reference))
	fmt.Fprintf(view.out, "Status: Downloaded image %s (%s)\n", full, image.ManifestDigest)
	return full, nil
}

// isTerminal: whether fd is a terminal (TCGETS answers).
func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
