package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	v1 "enviro.dev/api/enviro/v1"
)

const progressBar = 30

// pullView shows a pull as `docker pull` does. On a terminal: one line per layer with a bar, and a
// total, redrawn in place (ANSI cursor-up); otherwise plain lines, one per status and per finished
// layer, so that a log stays readable.
type pullView struct {
	out      io.Writer
	terminal bool
	order    []string // layer digests, in the order they first showed
	layers   map[string]*v1.LayerProgress
	drawn    int
	// Status lines held back until the registry has resolved the reference (or a layer shows): a
	// name that exists nowhere fails with one line, not with progress chatter before it.
	held     []string
	released bool
}

func newPullView(out io.Writer, terminal bool) *pullView {
	return &pullView{out: out, terminal: terminal, layers: map[string]*v1.LayerProgress{}}
}

// holding: firstLine is printed, before any status, once the reference has resolved.
func (v *pullView) holding(firstLine string) *pullView {
	v.held = append([]string{firstLine}, v.held...)
	return v
}

func (v *pullView) release() {
	if v.released {
		return
	}
	v.released = true
	for _, line := range v.held {
		fmt.Fprintln(v.out, line)
	}
	v.held = nil
}

// show takes one update; it answers the image once the engine says the pull is done.
func (v *pullView) show(u *v1.PullUpdate) *v1.Image {
	switch x := u.Update.(type) {
	case *v1.PullUpdate_Status:
		v.status(x.Status)
	case *v1.PullUpdate_Layer:
		v.layer(x.Layer)
	case *v1.PullUpdate_Done:
		v.release()
		return x.Done
	}
	return nil
}

func (v *pullView) status(line string) {
	if !v.released {
		if strings.HasPrefix(line, "Resolved ") {
			v.release()
		} else {
			v.held = append(v.held, line)
		}
		return
	}
	if strings.HasPrefix(line, "Resolved ") {
		return // the digest is printed at the end
	}
	if v.terminal && v.drawn > 0 {
		fmt.Fprintf(v.out, "\033[%dA\033[J", v.drawn)
		v.drawn = 0
	}
	fmt.Fprintln(v.out, line)
	if v.terminal {
		v.redraw()
	}
}

func (v *pullView) layer(p *v1.LayerProgress) {
	v.release()
	before, seen := v.layers[p.Digest]
	if !seen {
		v.order = append(v.order, p.Digest)
	}
	v.layers[p.Digest] = p
	if v.terminal {
		v.redraw()
	} else if p.Complete && (!seen || !before.Complete) {
		fmt.Fprintln(v.out, shortDigest(p.Digest)+": "+layerDone(p))
	}
}

func layerDone(p *v1.LayerProgress) string {
	if p.Existed {
		return "Already exists"
	}
	return "Pull complete"
}

func (v *pullView) redraw() {
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\033[%dA", v.drawn)
	}
	var done, total int64
	for _, digest := range v.order {
		p := v.layers[digest]
		b.WriteString("\r\033[K" + shortDigest(p.Digest) + ": ")
		if p.Complete {
			b.WriteString(layerDone(p))
		} else {
			b.WriteString(bar(p.Bytes, p.Total) + " " + progressSize(p.Bytes) + "/" + progressSize(p.Total))
		}
		b.WriteByte('\n')
		done += p.Bytes
		total += p.Total
	}
	b.WriteString("\r\033[Ktotal  " + bar(done, total) + " " + progressSize(done) + "/" + progressSize(total) + "\n")
	v.drawn = len(v.order) + 1
	io.WriteString(v.out, b.String())
}

func bar(bytes, total int64) string {
	filled := progressBar
	if total > 0 && bytes*progressBar/total < progressBar {
		filled = int(bytes * progressBar / total)
	}
	s := "[" + strings.Repeat("=", filled)
	if filled < progressBar {
		s += ">" + strings.Repeat(" ", progressBar-filled-1)
	}
	return s + "]"
}

func progressSize(bytes int64) string {
	switch {
	case bytes < 1000:
		return strconv.FormatInt(bytes, 10) + "B"
	case bytes < 1_000_000:
		return roundHalfUp(float64(bytes)/1e3, 1) + "kB"
	case bytes < 1_000_000_000:
		return roundHalfUp(float64(bytes)/1e6, 1) + "MB"
	}
	return roundHalfUp(float64(bytes)/1e9, 2) + "GB"
}
