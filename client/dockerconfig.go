package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// credentials the user stored for a registry.
type credentials struct{ username, secret string }

// dockerConfigPath: $DOCKER_CONFIG/config.json, else ~/.docker/config.json with the home directory
// of the passwd entry (what the JVM's user.home is, so both clients read the same file under sudo).
func dockerConfigPath(env func(string) string) string {
	if dir := env("DOCKER_CONFIG"); dir != "" {
		return filepath.Join(dir, "config.json")
	}
	home := env("HOME")
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		home = u.HomeDir
	}
	return filepath.Join(home, ".docker", "config.json")
}

// findCredentials reads the `auths` entry of registry from Docker's credential file (shared with
// docker and podman; written by `enviro login`). No file, or no entry: anonymous.
func findCredentials(file, registry string) (*credentials, error) {
	bytes, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(bytes) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, errors.New(file + ": unreadable: " + err.Error())
	}
	var config map[string]json.RawMessage
	if err := json.Unmarshal(bytes, &config); err != nil || config == nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, errors.New(file + ": invalid JSON: " + syntax.Error())
		}
		return nil, errors.New(file + ": not a JSON object")
	}
	var auths map[string]struct {
		Auth string `json:"auth"`
	}
	if raw, ok := config["auths"]; ok {
		if err := json.Unmarshal(raw, &auths); err != nil {
			auths = nil // as the Java reader: an `auths` that is not an object holds no credentials
		}
	}
	for _, key := range credentialKeys(registry) {
		entry, ok := auths[key]
		if !ok || entry.Auth == "" {
			continue
		}
		decoded, err := base64.StdEncoding.DecodeString(entry.Auth)
		if err != nil {
			return nil, errors.New(file + ": the auth of " + key + " is not base64: run 'enviro login " + registry + "' again")
		}
		username, secret, ok := strings.Cut(string(decoded), ":")
		if !ok || username == "" {
			return nil, errors.New(file + ": the auth of " + key + " is not user:password: run 'enviro login " + registry + "' again")
		}
		return &credentials{username, secret}, nil
	}
	return nil, nil
}

// credentialKeys: the keys a registry may be stored under. Docker writes Docker Hub's legacy URL,
// some tools the bare host or a URL.
func credentialKeys(registry string) []string {
	if registry == "docker.io" {
		return []string{"https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1"}
	}
	return []string{registry, "https://" + registry, "http://" + registry}
}
