package main

import (
	"io"
	"strings"
	"unicode/utf16"
)

// table prints left-aligned columns separated by at least three spaces, as Docker's listings are.
type table struct{ rows [][]string }

func newTable(header ...string) *table { return &table{rows: [][]string{header}} }

func (t *table) add(row ...string) { t.rows = append(t.rows, row) }

func (t *table) print(out io.Writer) {
	widths := make([]int, len(t.rows[0]))
	for _, row := range t.rows {
		for i, cell := range row {
			if n := javaLength(cell); n > widths[i] {
				widths[i] = n
			}
		}
	}
	var text strings.Builder
	for _, row := range t.rows {
		var line strings.Builder
		for i, cell := range row {
			line.WriteString(cell)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-javaLength(cell)+3))
			}
		}
		text.WriteString(strings.TrimRight(line.String(), " "))
		text.WriteByte('\n')
	}
	io.WriteString(out, text.String())
}

// javaLength: a string's length as Java's String.length() counts it (UTF-16 units), which the Java
// CLI's columns and cuts are measured in.
func javaLength(s string) int {
	return len(utf16.Encode([]rune(s)))
}
