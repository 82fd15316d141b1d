package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	v1 "enviro.dev/api/enviro/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// engineAddress is the engine's socket; printed as unix:///path, as the Java client prints it.
type engineAddress string

func (a engineAddress) String() string { return "unix://" + string(a) }

// resolveAddress: --host wins over ENVIRO_HOST, which wins over the default for this user
// (/run/enviro/enviro.sock for root, $XDG_RUNTIME_DIR/enviro/enviro.sock rootless, else a per-user
// directory under /tmp, as the daemon creates it). The rules of the Java client's EngineAddress.
func resolveAddress(flag string, env func(string) string, uid int) (engineAddress, error) {
	if flag != "" {
		return parseHost(flag)
	}
	if h := env("ENVIRO_HOST"); h != "" {
		return parseHost(h)
	}
	if uid == 0 {
		return "/run/enviro/enviro.sock", nil
	}
	base := env("XDG_RUNTIME_DIR")
	if base == "" || !filepath.IsAbs(base) {
		base = "/tmp/enviro-run-" + strconv.Itoa(uid)
	}
	return engineAddress(filepath.Join(base, "enviro", "enviro.sock")), nil
}

func parseHost(host string) (engineAddress, error) {
	if path := strings.TrimPrefix(host, "unix://"); path != host && filepath.IsAbs(path) {
		return engineAddress(filepath.Clean(path)), nil
	}
	if strings.HasPrefix(host, "tcp://") {
		return "", usageError{"invalid host " + host + ": TCP is not supported yet, use unix:///path/to/enviro.sock"}
	}
	return "", usageError{"invalid host " + host + ": expected unix:///path/to/enviro.sock"}
}

// engine is a connection to the engine's API.
type engine struct {
	address engineAddress
	conn    *grpc.ClientConn
	api     v1.EnviroClient
}

// connect dials the socket itself first, so that an engine that is not there is named with the
// kernel's reason (as the Java client does) rather than gRPC's transport chatter.
func (c *command) connect() (*engine, error) {
	address, err := resolveAddress(c.host, c.getenv, os.Geteuid())
	if err != nil {
		return nil, err
	}
	first, err := net.Dial("unix", string(address))
	if err != nil {
		return nil, unreachable(address, ioReason(err))
	}
	dialer := func(ctx context.Context, _ string) (net.Conn, error) {
		if first != nil {
			conn := first
			first = nil
			return conn, nil
		}
		return (&net.Dialer{}).DialContext(ctx, "unix", string(address))
	}
	// A unix socket has no host name; HTTP/2 still needs an authority.
	conn, err := grpc.Dial("passthrough:///enviro", grpc.WithInsecure(), grpc.WithAuthority("localhost"),
		grpc.WithContextDialer(dialer))
	if err != nil {
		return nil, unreachable(address, ioReason(err))
	}
	return &engine{address: address, conn: conn, api: v1.NewEnviroClient(conn)}, nil
}

func (e *engine) Close() { e.conn.Close() }

// withEngine connects, runs what a verb does with the connection, and closes it.
func (c *command) withEngine(do func(e *engine) error) error {
	e, err := c.connect()
	if err != nil {
		return err
	}
	defer e.Close()
	return do(e)
}

// engineError is the one error of this client's side of the API: the line to show and the exit code.
type engineError struct {
	message     string
	exitCode    int
	code        codes.Code // the call's status; Unavailable when no engine answered
	unreachable bool       // no engine answered at all
}

func (e *engineError) Error() string { return e.message }

// unreachable: no engine answered at address; reason is why the connection failed.
func unreachable(address engineAddress, reason string) *engineError {
	return &engineError{
		message:  fmt.Sprintf("cannot reach the Enviro engine at %s (connect: %s). Start one with 'enviro daemon' (or set ENVIRO_HOST).", address, reason),
		exitCode: exitEngine, code: codes.Unavailable, unreachable: true,
	}
}

// ioReason: the kernel's reason for a failed file operation, in the C library's words ("Is a directory").
func ioReason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return strerror(errno)
	}
	return err.Error()
}

// strerror: the C library's wording ("No such file or directory"); Go's differs only in case.
func strerror(errno syscall.Errno) string {
	s := errno.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// callError reads a failed call's status and the trailers the engine adds (enviro-reason, and
// enviro-exit-code for a container's command that could not run); a status without them came from
// the transport.
func (e *engine) callError(err error, trailer metadata.MD) error {
	st, ok := status.FromError(err)
	if !ok {
		return &engineError{message: err.Error(), exitCode: exitEngine}
	}
	fromEngine := len(trailer.Get("enviro-reason")) > 0
	if !fromEngine && st.Code() == codes.Unavailable {
		return unreachable(e.address, st.Message())
	}
	exitCode := exitEngine
	if fromEngine {
		if v := trailer.Get("enviro-exit-code"); len(v) > 0 {
			if n, err := strconv.Atoi(v[0]); err == nil {
				exitCode = n
			}
		}
	}
	message := st.Message()
	if message == "" {
		message = "the engine answered " + codeName(st.Code()) + " without a message"
	}
	if !fromEngine && st.Code() == codes.Canceled {
		message = fmt.Sprintf("the call to the engine at %s was cancelled: %s", e.address, message)
	}
	return &engineError{message: message, exitCode: exitCode, code: st.Code()}
}

// codeName spells a status code as grpc-java does (and so as the Java CLI prints it).
func codeName(c codes.Code) string {
	if c == codes.Canceled {
		return "CANCELLED"
	}
	var b strings.Builder
	var previous rune
	for _, r := range c.String() {
		if previous >= 'a' && previous <= 'z' && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
		previous = r
	}
	return strings.ToUpper(b.String())
}
