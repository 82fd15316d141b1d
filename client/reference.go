package main

import (
	"errors"
	"regexp"
	"strings"
)

// Image names as Docker and containerd normalize them (the Java side's ImageName): the client needs
// only the registry, to choose the credentials it sends; the engine parses the reference again.
var (
	nameComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	domainPattern = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$`)
	tagPattern    = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	sha256Hex     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// registryOf answers the registry of an image reference: busybox is docker.io's, host:port/ns/name
// is host:port's. The error is the line the Java CLI prints for the same reference.
func registryOf(reference string) (string, error) {
	full, err := normalizeName(strings.TrimSpace(reference))
	if err != nil {
		return "", errors.New(`invalid image reference "` + reference + `": ` + err.Error())
	}
	registry, _, _ := strings.Cut(full, "/")
	return registry, nil
}

// normalizeName: the full name of a reference (docker.io/library/busybox:latest), or why it is not one.
func normalizeName(name string) (string, error) {
	rest, digest := name, ""
	if at := strings.Index(rest, "@"); at >= 0 {
		digest = rest[at+1:]
		if !strings.HasPrefix(digest, "sha256:") || !sha256Hex.MatchString(digest[7:]) {
			return "", errors.New(`invalid digest in image name "` + name + `"`)
		}
		rest = rest[:at]
	}
	tag := ""
	if colon := strings.LastIndex(rest, ":"); colon > strings.LastIndex(rest, "/") {
		tag = rest[colon+1:]
		rest = rest[:colon]
		if !tagPattern.MatchString(tag) {
			return "", errors.New(`invalid tag in image name "` + name + `"`)
		}
	}
	domain, path := "docker.io", rest
	if first, after, nested := strings.Cut(rest, "/"); nested && (strings.ContainsAny(first, ".:") || first == "localhost") {
		domain, path = first, after
		if !domainPattern.MatchString(domain) {
			return "", errors.New(`invalid registry in image name "` + name + `"`)
		}
	}
	if domain == "index.docker.io" {
		domain = "docker.io"
	}
	if path == "" {
		return "", errors.New("empty image name")
	}
	for _, c := range strings.Split(path, "/") {
		if !nameComponent.MatchString(c) {
			return "", errors.New(`invalid image name "` + name + `": use lowercase letters, digits and . _ -`)
		}
	}
	if domain == "docker.io" && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	full := domain + "/" + path
	if tag == "" && digest == "" {
		tag = "latest"
	}
	if tag != "" {
		full += ":" + tag
	}
	if digest != "" {
		full += "@" + digest
	}
	return full, nil
}
