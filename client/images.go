package main

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	v1 "enviro.dev/api/enviro/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// images: one row per name, as `docker images`.
func images(c *command, args verbArgs) error {
	if _, err := c.parseVerb("images", args, nil, nil); err != nil {
		return err
	}
	return c.withEngine(func(e *engine) error {
		var trailer metadata.MD
		r, err := e.api.ListImages(context.Background(), &v1.ListImagesRequest{}, grpc.Trailer(&trailer))
		if err != nil {
			return e.callError(err, trailer)
		}
		imageTable(r.Images, time.Now()).print(c.out)
		return nil
	})
}

func imageTable(list []*v1.Image, now time.Time) *table {
	t := newTable("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")
	for _, image := range list {
		id := shortDigest(image.Id)
		created := ""
		if image.Created != nil {
			created = humanDuration(now.Sub(image.Created.AsTime())) + " ago"
		}
		size := decimalSize(image.Size)
		if len(image.Names) == 0 {
			t.add("<none>", "<none>", id, created, size)
		}
		for _, name := range image.Names {
			// The tag is after the last colon that follows the last slash (a registry port is not a tag).
			colon := strings.LastIndex(name, ":")
			if colon > strings.LastIndex(name, "/") {
				t.add(name[:colon], name[colon+1:], id, created, size)
			} else {
				t.add(name, "<none>", id, created, size)
			}
		}
	}
	return t
}

// shortDigest: the first 12 hex digits of a sha256 digest, as Docker shows ids.
func shortDigest(digest string) string {
	hex := strings.TrimPrefix(digest, "sha256:")
	if len(hex) > 12 {
		return hex[:12]
	}
	return hex
}

// decimalSize: decimal units with three significant digits, as Docker prints sizes ("4.26MB").
func decimalSize(bytes int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	value := float64(bytes)
	unit := 0
	for value >= 1000 && unit < len(units)-1 {
		value /= 1000
		unit++
	}
	number := javaG3(value)
	if strings.Contains(number, ".") {
		number = strings.TrimRight(strings.TrimRight(number, "0"), ".")
	}
	return number + units[unit]
}

// javaG3: Java's String.format("%.3g", v) for v >= 0: three significant digits, rounded half up on
// the shortest decimal form of v (Java's Formatter; Go's rounds the binary value half to even:
// 1.125 is "1.13" in Java, "1.12" in Go), in fixed notation below 1000 and scientific from it.
func javaG3(v float64) string {
	if v == 0 {
		return "0.00"
	}
	_, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e") // the shortest form's exponent
	e, _ := strconv.Atoi(exp)
	rounded := roundHalfUp(v, 2-e)
	if r, _ := strconv.ParseFloat(rounded, 64); r >= math.Pow(10, float64(e+1)) {
		e++ // 9.995 is 10.0
		rounded = roundHalfUp(v, 2-e)
	}
	if e >= 3 {
		return "1.00e+03" // (the one case decimalSize can meet: 999.5 <= v < 1000)
	}
	return rounded
}

// roundHalfUp: v's shortest decimal form rounded half up to `decimals` places (0 or more), as Java's
// Formatter rounds %.Nf.
func roundHalfUp(v float64, decimals int) string {
	if decimals < 0 {
		decimals = 0
	}
	whole, fraction, _ := strings.Cut(strconv.FormatFloat(v, 'f', -1, 64), ".")
	for len(fraction) <= decimals {
		fraction += "0"
	}
	kept := []byte(whole + fraction[:decimals])
	if fraction[decimals] >= '5' {
		i := len(kept) - 1
		for ; i >= 0 && kept[i] == '9'; i-- {
			kept[i] = '0'
		}
		if i < 0 {
			kept = append([]byte{'1'}, kept...)
		} else {
			kept[i]++
		}
	}
	n := len(kept) - decimals
	if decimals == 0 {
		return string(kept)
	}
	return string(kept[:n]) + "." + string(kept[n:])
}
