package main

import (
	"errors"
	"fmt"
	"strings"
)

// errHelp: the verb was asked for its usage (-h, --help).
var errHelp = errors.New("help")

// An option of a verb, spelled as picocli spells them: short names bundle (-aq), long names take a
// value after a space or '='. One of flag, value and list is set.
type option struct {
	names []string // "-a", "--all"
	label string   // the value's label; empty for a boolean option
	flag  *bool
	value **string  // set: the option was given (its last value)
	list  *[]string // every value, in order
	split string    // a list option's values may also be joined by this (--cap-add A,B)
}

// verbSyntax: what parseVerb needs to know of a verb beyond its options.
type verbSyntax struct {
	positional []string // labels of the required parameters, in order
	help       []string // the names that ask for usage (-h is --hostname for run)
	// every argument from the first parameter on is a parameter (run IMAGE ls -la)
	stopAtPositional bool
	// parameters after `positional` are taken (run's COMMAND...)
	varargs bool
}

func (o *option) set(value string) {
	switch {
	case o.list != nil && o.split != "":
		*o.list = append(*o.list, strings.Split(value, o.split)...)
	case o.list != nil:
		*o.list = append(*o.list, value)
	default:
		v := value
		*o.value = &v
	}
}

// parseVerb reads a verb's options and positional parameters the way the Java CLI (picocli) does, with
// its messages: the two must refuse the same command lines with the same line.
// parseVerb and parseSyntax, with the root options a verb also takes (picocli's inherited scope:
// `enviro ps --host X`); for run and exec, after the image or container they are the command's.
func (c *command) parseVerb(verb string, line verbArgs, options []option, positional []string) ([]string, error) {
	return c.parseSyntax(verb, line, options, verbSyntax{positional: positional, help: []string{"-h", "--help"}})
}

func (c *command) parseSyntax(verb string, line verbArgs, options []option, syntax verbSyntax) ([]string, error) {
	var host, stateDir *string
	all := append(append([]option{}, options...),
		option{names: []string{"--host"}, label: "unix:///PATH", value: &host},
		option{names: []string{"--state-dir"}, label: "DIR", value: &stateDir})
	params, err := parseSyntax(verb, line, all, syntax)
	if host != nil {
		c.host = *host
	}
	return params, err
}

func parseVerb(verb string, line verbArgs, options []option, positional []string) ([]string, error) {
	return parseSyntax(verb, line, options, verbSyntax{positional: positional, help: []string{"-h", "--help"}})
}

func parseSyntax(verb string, line verbArgs, options []option, syntax verbSyntax) ([]string, error) {
	args := line.values
	positional := syntax.positional
	isHelp := func(a string) bool {
		for _, h := range syntax.help {
			if a == h {
				return true
			}
		}
		return false
	}
	fail := func(format string, a ...any) error {
		return usageError{fmt.Sprintf(format, a...) + ". See 'enviro " + verb + " --help'."}
	}
	find := func(name string) *option {
		for i := range options {
			for _, n := range options[i].names {
				if n == name {
					return &options[i]
				}
			}
		}
		return nil
	}
	var params []string
	var paramIndexes []int
	onlyParams := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case onlyParams || a == "-" || !strings.HasPrefix(a, "-"):
			params = append(params, a)
			paramIndexes = append(paramIndexes, line.indexes[i])
			if syntax.stopAtPositional {
				onlyParams = true
			}
		case a == "--":
			onlyParams = true
		case isHelp(a):
			return nil, errHelp
		case strings.HasPrefix(a, "--"):
			name, value, inline := strings.Cut(a, "=")
			o := find(name)
			if o == nil {
				return nil, fail("Unknown option: '%s'", a)
			}
			if o.flag != nil {
				if inline {
					switch strings.ToLower(value) {
					case "true":
						*o.flag = true
					case "false":
						*o.flag = false
					default:
						return nil, fail("Invalid value for option '%s': '%s' is not a boolean", name, value)
					}
				} else {
					*o.flag = true
				}
				continue
			}
			if !inline {
				if i+1 >= len(args) {
					return nil, fail("Missing required parameter for option '%s' (%s)", name, o.label)
				}
				i++
				value = args[i]
			}
			o.set(value)
		default: // -a, -aq, -pVALUE
			for j := 1; j < len(a); j++ {
				o := find("-" + a[j:j+1])
				if o == nil {
					return nil, fail("Unknown option: '%s'", a)
				}
				if o.flag != nil {
					*o.flag = true
					continue
				}
				value := a[j+1:]
				if value == "" {
					if i+1 >= len(args) {
						return nil, fail("Missing required parameter for option '%s' (%s)", o.names[len(o.names)-1], o.label)
					}
					i++
					value = args[i]
				}
				o.set(value)
				break
			}
		}
	}
	if len(params) < len(positional) {
		return nil, fail("Missing required parameter: '%s'", positional[len(params)])
	}
	if len(params) > len(positional) && !syntax.varargs {
		return nil, fail("Unmatched argument at index %d: '%s'", paramIndexes[len(positional)], params[len(positional)])
	}
	return params, nil
}
