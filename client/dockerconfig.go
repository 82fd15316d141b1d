package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
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
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errors.New(file + ": cannot read: " + ioReason(err))
	}
	if len(bytes) == 0 {
		return nil, nil
	}
	if strings.TrimSpace(string(bytes)) == "" {
		return nil, errors.New(file + ": not a JSON object")
	}
	var config map[string]json.RawMessage
	if err := json.Unmarshal(bytes, &config); err != nil || config == nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, errors.New(file + ": invalid JSON: " + syntax.Error())
		}
		return nil, errors.New(file + ": not a JSON object")
	}
	// entries one by one, as the Java reader walks them: one that is not an object holds nothing
	var auths map[string]json.RawMessage
	if raw, ok := config["auths"]; ok {
		if err := json.Unmarshal(raw, &auths); err != nil {
			auths = nil
		}
	}
	for _, key := range credentialKeys(registry) {
		raw, ok := auths[key]
		if !ok {
			continue
		}
		var entry map[string]json.RawMessage
		if json.Unmarshal(raw, &entry) != nil {
			continue
		}
		auth := jsonText(entry["auth"])
		if auth == "" {
			continue
		}
		decoded, err := base64.StdEncoding.DecodeString(auth)
		if err != nil {
			// Java's decoder takes a value without its padding too
			decoded, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(auth, "="))
		}
		if err != nil {
			return nil, errors.New(file + ": the auth of " + key + " is not base64: run 'enviro login " + registry + "' again")
		}
		username, secret, ok := strings.Cut(string(decoded), ":")
		if !ok || username == "" {
			return nil, errors.New(file + ": the auth of " + key + " is not user:password: run 'enviro login " + registry + "' again")
		}
		// (gRPC strings are UTF-8: bytes that are not become U+FFFD, as Java's decoding makes them)
		return &credentials{strings.ToValidUTF8(username, "\uFFFD"), strings.ToValidUTF8(secret, "\uFFFD")}, nil
	}
	return nil, nil
}

// jsonText: a JSON value as Jackson's asText("") reads it: a string's text, a number's or a boolean's
// literal, "" for anything else.
func jsonText(raw json.RawMessage) string {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	var number json.Number
	if json.Unmarshal(raw, &number) == nil {
		return number.String()
	}
	var flag bool
	if json.Unmarshal(raw, &flag) == nil {
		return strconv.FormatBool(flag)
	}
	return ""
}

// credentialKeys: the keys a registry may be stored under. Docker writes Docker Hub's legacy URL,
// some tools the bare host or a URL.
func credentialKeys(registry string) []string {
	if registry == "docker.io" {
		return []string{"https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1"}
	}
	return []string{registry, "https://" + registry, "http://" + registry}
}
