package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	v1 "enviro.dev/api/enviro/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

const imagesUsage = `Usage: enviro images [-hV]
List images.
  -h, --help      Show this help message and exit.
`

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
	number := strconv.FormatFloat(value, 'g', 3, 64)
	if strings.Contains(number, "e") { // %g's exponent form: Java's %.3g writes 100 for 100
		number = strconv.FormatFloat(value, 'f', 0, 64)
	}
	if strings.Contains(number, ".") {
		number = strings.TrimRight(strings.TrimRight(number, "0"), ".")
	}
	return number + units[unit]
}
