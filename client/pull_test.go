package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "enviro.dev/api/enviro/v1"
)

func TestBarsAndSizes(t *testing.T) {
	for _, c := range []struct {
		bytes, total int64
		want         string
	}{
		{0, 100, "[>                             ]"},
		{50, 100, "[===============>              ]"},
		{100, 100, "[==============================]"},
		{5, 0, "[==============================]"}, // a total not known yet
	} {
		if got := bar(c.bytes, c.total); got != c.want {
			t.Errorf("bar(%d, %d) = %q, want %q", c.bytes, c.total, got, c.want)
		}
	}
	for n, want := range map[int64]string{999: "999B", 1_500: "1.5kB", 52_428_800: "52.4MB", 2_500_000_000: "2.50GB"} {
		if got := progressSize(n); got != want {
			t.Errorf("progressSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func layerUpdate(digest string, n, total int64, complete, existed bool) *v1.PullUpdate {
	return &v1.PullUpdate{Update: &v1.PullUpdate_Layer{Layer: &v1.LayerProgress{
		Digest: digest, Bytes: n, Total: total, Complete: complete, Existed: existed}}}
}

func statusUpdate(line string) *v1.PullUpdate {
	return &v1.PullUpdate{Update: &v1.PullUpdate_Status{Status: line}}
}

// Not on a terminal: a line per status and one per layer when it completes, nothing else.
func TestPlainLinesWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	v := newPullView(&out, false)
	a, b := "sha256:"+strings.Repeat("a", 64), "sha256:"+strings.Repeat("b", 64)
	for _, u := range []*v1.PullUpdate{
		statusUpdate("1.0: Pulling from localhost:5000/busybox"),
		statusUpdate("Resolved sha256:" + strings.Repeat("c", 64)), // releases the line above
		layerUpdate(a, 10, 100, false, false),
		layerUpdate(b, 5, 5, true, true),
		layerUpdate(a, 100, 100, true, false),
		layerUpdate(a, 100, 100, true, false), // repeated: printed once
	} {
		if v.show(u) != nil {
			t.Fatal("no image before done")
		}
	}
	done := &v1.Image{Id: "sha256:" + strings.Repeat("d", 64)}
	if got := v.show(&v1.PullUpdate{Update: &v1.PullUpdate_Done{Done: done}}); got != done {
		t.Fatalf("done answered %v", got)
	}
	want := "1.0: Pulling from localhost:5000/busybox\nbbbbbbbbbbbb: Already exists\naaaaaaaaaaaa: Pull complete\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

// On a terminal: the layers and a total, redrawn in place (cursor up over what was drawn).
func TestRedrawnInPlaceOnATerminal(t *testing.T) {
	var out bytes.Buffer
	v := newPullView(&out, true)
	a := "sha256:" + strings.Repeat("a", 64)
	v.show(layerUpdate(a, 50, 100, false, false))
	first := "\r\033[Kaaaaaaaaaaaa: [===============>              ] 50B/100B\n\r\033[Ktotal  [===============>              ] 50B/100B\n"
	if out.String() != first {
		t.Fatalf("first draw %q, want %q", out.String(), first)
	}
	out.Reset()
	v.show(layerUpdate(a, 100, 100, true, false))
	if !strings.HasPrefix(out.String(), "\033[2A\r\033[Kaaaaaaaaaaaa: Pull complete\n") {
		t.Errorf("redraw %q", out.String())
	}
	out.Reset()
	v.show(statusUpdate("Digest: sha256:x"))
	if !strings.HasPrefix(out.String(), "\033[2A\033[JDigest: sha256:x\n") {
		t.Errorf("a status above the bars %q", out.String())
	}
}

// A reference the registry cannot resolve fails without the "Pulling from" chatter before the error.
func TestNothingShowsBeforeTheReferenceResolves(t *testing.T) {
	var out bytes.Buffer
	v := newPullView(&out, false)
	v.show(statusUpdate("nope: Pulling from localhost:5000/busybox"))
	if out.Len() != 0 {
		t.Fatalf("printed %q before the reference resolved", out.String())
	}
	v.show(layerUpdate("sha256:"+strings.Repeat("a", 64), 0, 10, false, false)) // a layer shows: resolved
	if out.String() != "nope: Pulling from localhost:5000/busybox\n" {
		t.Errorf("printed %q", out.String())
	}
}

func TestRegistryOfAReference(t *testing.T) {
	for ref, want := range map[string]string{
		"busybox": "docker.io", "library/busybox:1.36": "docker.io", "index.docker.io/x/y": "docker.io",
		"localhost/busybox": "localhost", "127.0.0.1:5000/e2e/busybox:1.0": "127.0.0.1:5000",
		"ghcr.io/org/app@sha256:" + strings.Repeat("0", 64): "ghcr.io", " quay.io/a/b ": "quay.io",
	} {
		got, err := registryOf(ref)
		if err != nil || got != want {
			t.Errorf("registryOf(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	for ref, want := range map[string]string{
		"Bad!":             `invalid image reference "Bad!": invalid image name "Bad!": use lowercase letters, digits and . _ -`,
		"busybox:bad~tag":  `invalid image reference "busybox:bad~tag": invalid tag in image name "busybox:bad~tag"`,
		"busybox@sha256:1": `invalid image reference "busybox@sha256:1": invalid digest in image name "busybox@sha256:1"`,
		"":                 `invalid image reference "": empty image name`,
		"-bad.host:1/x":    `invalid image reference "-bad.host:1/x": invalid registry in image name "-bad.host:1/x"`,
	} {
		if _, err := registryOf(ref); err == nil || err.Error() != want {
			t.Errorf("registryOf(%q): %v; want %q", ref, err, want)
		}
	}
}

func TestCredentialsFromDockersFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.json")
	if c, err := findCredentials(file, "docker.io"); c != nil || err != nil {
		t.Fatalf("no file: %v %v", c, err)
	}
	os.WriteFile(file, []byte(`{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpwYTpzcw=="},
		"http://127.0.0.1:5000": {"auth": "YWxpY2U6c2VjcmV0"}, "other.io": {"auth": ""}},
		"credsStore": "ignored"}`), 0o600)
	for registry, want := range map[string]*credentials{
		"docker.io": {"user", "pa:ss"}, "127.0.0.1:5000": {"alice", "secret"}, "other.io": nil, "nowhere.io": nil,
	} {
		got, err := findCredentials(file, registry)
		if err != nil || (got == nil) != (want == nil) || (got != nil && *got != *want) {
			t.Errorf("findCredentials(%s) = %v, %v; want %v", registry, got, err, want)
		}
	}
	for content, want := range map[string]string{
		`{"auths": {"x.io": {"auth": "%%%"}}}`:          file + ": the auth of x.io is not base64: run 'enviro login x.io' again",
		`{"auths": {"x.io": {"auth": "bm9jb2xvbg=="}}}`: file + ": the auth of x.io is not user:password: run 'enviro login x.io' again",
		`[1, 2]`:     file + ": not a JSON object",
		`{"auths": `: file + ": invalid JSON: unexpected end of JSON input",
	} {
		os.WriteFile(file, []byte(content), 0o600)
		if _, err := findCredentials(file, "x.io"); err == nil || err.Error() != want {
			t.Errorf("%s: %v; want %q", content, err, want)
		}
	}
}

func TestDockerConfigDirectoryFromTheEnvironment(t *testing.T) {
	env := func(k string) string {
		if k == "DOCKER_CONFIG" {
			return "/etc/somewhere"
		}
		return ""
	}
	if got := dockerConfigPath(env); got != "/etc/somewhere/config.json" {
		t.Errorf("dockerConfigPath = %s", got)
	}
}
