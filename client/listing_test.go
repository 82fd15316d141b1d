package main

import (
	"bytes"
	"testing"
	"time"

	v1 "enviro.dev/api/enviro/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(now.Add(-d)) }

func printed(t *table) string {
	var b bytes.Buffer
	t.print(&b)
	return b.String()
}

func TestDurationsAsDockerWordsThem(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{300 * time.Millisecond, "Less than a second"},
		{-5 * time.Second, "Less than a second"}, // a clock that went back
		{time.Second, "1 second"},
		{3 * time.Second, "3 seconds"},
		{90 * time.Second, "About a minute"},
		{2 * time.Minute, "2 minutes"},
		{61 * time.Minute, "About an hour"},
		{5 * time.Hour, "5 hours"},
		{3 * 24 * time.Hour, "3 days"},
		{21 * 24 * time.Hour, "3 weeks"},
		{125 * 24 * time.Hour, "4 months"},
		{3 * 365 * 24 * time.Hour, "3 years"},
	} {
		if got := humanDuration(c.d); got != c.want {
			t.Errorf("humanDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestPsStatusColumn(t *testing.T) {
	running := &v1.Container{State: v1.Container_RUNNING, StartedAt: ago(3 * time.Second)}
	paused := &v1.Container{State: v1.Container_RUNNING, StartedAt: ago(3 * time.Second), Paused: true}
	exited := &v1.Container{State: v1.Container_EXITED, ExitCode: proto.Int32(7), FinishedAt: ago(2 * time.Minute)}
	killed := &v1.Container{State: v1.Container_EXITED, ExitCode: proto.Int32(137)}
	for c, want := range map[*v1.Container]string{
		running: "Up 3 seconds", paused: "Up 3 seconds (Paused)", exited: "Exited (7) 2 minutes ago",
		killed: "Exited (137)", {State: v1.Container_CREATED}: "Created", {}: "Unknown",
	} {
		if got := containerStatus(c, now); got != want {
			t.Errorf("containerStatus = %q, want %q", got, want)
		}
	}
}

func TestPsTable(t *testing.T) {
	c := &v1.Container{Id: "0123456789abcdef0123", Name: "web", Image: "localhost/busybox",
		Argv: []string{"sh", "-c", "echo hello world; sleep 100"}, State: v1.Container_RUNNING,
		CreatedAt: ago(5 * time.Second), StartedAt: ago(4 * time.Second)}
	want := "CONTAINER ID   IMAGE               COMMAND                  CREATED         STATUS         NAMES\n" +
		"0123456789ab   localhost/busybox   \"sh -c echo hello wo…\"   5 seconds ago   Up 4 seconds   web\n"
	if got := printed(containerTable([]*v1.Container{c}, now)); got != want {
		t.Errorf("ps table:\n%s\nwant:\n%s", got, want)
	}
}

func TestImagesTable(t *testing.T) {
	id := "sha256:" + string(bytes.Repeat([]byte("ab"), 32))
	busybox := &v1.Image{Id: id, Names: []string{"localhost:5000/busybox:1.36", "busybox"}, Size: 4_261_000, Created: ago(3 * 24 * time.Hour)}
	dangling := &v1.Image{Id: id, Size: 999}
	want := "REPOSITORY               TAG      IMAGE ID       CREATED      SIZE\n" +
		"localhost:5000/busybox   1.36     abababababab   3 days ago   4.26MB\n" +
		"busybox                  <none>   abababababab   3 days ago   4.26MB\n" +
		"<none>                   <none>   abababababab                999B\n"
	if got := printed(imageTable([]*v1.Image{busybox, dangling}, now)); got != want {
		t.Errorf("images table:\n%s\nwant:\n%s", got, want)
	}
}

func TestDecimalSizes(t *testing.T) {
	// Java's %.3g rounds half up on the shortest decimal form: 1.125 is 1.13, 1.005 is 1.01
	for bytes, want := range map[int64]string{0: "0B", 999: "999B", 1000: "1kB", 1500: "1.5kB", 100_000: "100kB",
		12_345_678: "12.3MB", 4_261_000: "4.26MB", 7_000_000_000: "7GB", 1005: "1.01kB", 1125: "1.13kB",
		1_125_000: "1.13MB", 999_500: "1.00e+03kB", 9_995: "10kB", 99_950: "100kB"} {
		if got := decimalSize(bytes); got != want {
			t.Errorf("decimalSize(%d) = %q, want %q", bytes, got, want)
		}
	}
}

// Widths and cuts in UTF-16 units, as the Java CLI measures them: an emoji is two.
func TestColumnsAreMeasuredAsJavaMeasuresThem(t *testing.T) {
	tb := newTable("A", "B")
	tb.add("😀", "x")
	if got := printed(tb); got != "A    B\n😀   x\n" {
		t.Errorf("%q", got)
	}
	if got := quotedCommand([]string{"echo", "😀😀😀😀😀😀😀😀"}); got != "\"echo 😀😀😀😀😀😀😀…\"" {
		t.Errorf("%q", got)
	}
}
