package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// negativeNumber: an argument picocli takes as a parameter, not an option, when no option has its name.
var negativeNumber = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?$`)

// errHelp: the verb was asked for its usage (-h, --help); errVersion: for its version (-V), which
// picocli prints as an empty line's worth: nothing.
var (
	errHelp    = errors.New("help")
	errVersion = errors.New("version")
)

// An option of a verb, spelled as picocli spells them: short names bundle (-aq), long names take a
// value after a space or '='. One of flag, value and list is set.
type option struct {
	names []string // "-a", "--all"
	label string   // the value's label; empty for a boolean option
	flag  *bool
	value **string  // set: the option was given (its last value)
	list  *[]string // every value, in order
	split string    // a list option's values may also be joined by this (--cap-add A,B)
	// check: why a value cannot be converted ("is not an int"), or ""; picocli converts while parsing
	check func(string) string
}

// longest: the name picocli uses in its messages.
func (o *option) longest() string {
	name := o.names[0]
	for _, n := range o.names {
		if len(n) > len(name) {
			name = n
		}
	}
	return name
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
	// picocli's standard help options come with -V/--version, which print the (empty) version of a verb
	standardHelp := isHelp("-h")
	fail := func(format string, a ...any) error {
		return usageError{fmt.Sprintf(format, a...) + ". See 'enviro " + verb + " --help'."}
	}
	// picocli shows the usage asked for rather than an unknown option or a wrong count of parameters
	// elsewhere on the line (an option's missing or unconvertible value still fails)
	helpAsked := false
	for _, a := range args {
		if a == "--" {
			break
		}
		if isHelp(a) {
			helpAsked = true
		}
	}
	unlessHelp := func(err error) error {
		if helpAsked {
			return errHelp
		}
		return err
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
	// a value that is itself an option, or a cluster of short ones, is refused as picocli refuses it
	looksLikeOption := func(v string) bool {
		if find(v) != nil || isHelp(v) {
			return true
		}
		_, _, hasEq := strings.Cut(v, "=")
		if strings.HasPrefix(v, "--") && hasEq {
			name, _, _ := strings.Cut(v, "=")
			return find(name) != nil
		}
		return len(v) > 1 && v[0] == '-' && v[1] != '-' && find(v[:2]) != nil
	}
	given := map[*option]bool{}
	assign := func(o *option, value string) error {
		if o.list == nil {
			if given[o] {
				return fail("option '%s' should be specified only once", o.longest())
			}
			given[o] = true
		}
		if o.flag == nil && looksLikeOption(value) {
			return fail("Expected parameter for option '%s' but found '%s'", o.longest(), value)
		}
		if o.check != nil {
			if why := o.check(value); why != "" {
				return fail("Invalid value for option '%s': '%s' %s", o.longest(), value, why)
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
		case onlyParams || a == "-" || !strings.HasPrefix(a, "-") || (negativeNumber.MatchString(a) && find(a[:2]) == nil):
			params = append(params, a)
			paramIndexes = append(paramIndexes, line.indexes[i])
			if syntax.stopAtPositional {
				onlyParams = true
			}
		case a == "--":
			onlyParams = true
		case isHelp(a):
			return nil, errHelp
		case standardHelp && (a == "-V" || a == "--version"):
			return nil, errVersion
		case strings.HasPrefix(a, "--"):
			name, value, inline := strings.Cut(a, "=")
			o := find(name)
			if o == nil {
				return nil, unlessHelp(fail("Unknown option: '%s'", a))
			}
			if o.flag != nil {
				if given[o] {
					return nil, fail("option '%s' should be specified only once", o.longest())
				}
				given[o] = true
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
			if err := assign(o, value); err != nil {
				return nil, err
			}
			o.set(value)
		default: // -a, -aq, -pVALUE, -p=VALUE
			for j := 1; j < len(a); j++ {
				if isHelp("-" + a[j:j+1]) { // -ah
					return nil, errHelp
				}
				o := find("-" + a[j:j+1])
				if o == nil {
					if j > 1 {
						return nil, unlessHelp(fail("Unknown option: '-%s' (while processing option: '%s')", a[j:j+1], a))
					}
					return nil, unlessHelp(fail("Unknown option: '%s'", a))
				}
				if o.flag != nil {
					if given[o] {
						return nil, fail("option '%s' should be specified only once", o.longest())
					}
					given[o] = true
					*o.flag = true
					continue
				}
				value := strings.TrimPrefix(a[j+1:], "=")
				if a[j+1:] == "" {
					if i+1 >= len(args) {
						return nil, fail("Missing required parameter for option '%s' (%s)", o.longest(), o.label)
					}
					i++
					value = args[i]
				}
				if err := assign(o, value); err != nil {
					return nil, err
				}
				o.set(value)
				break
			}
		}
	}
	if missing := len(positional) - len(params); missing > 0 {
		if missing == 1 {
			return nil, unlessHelp(fail("Missing required parameter: '%s'", positional[len(params)]))
		}
		return nil, unlessHelp(fail("Missing required parameters: '%s'", strings.Join(positional[len(params):], "', '")))
	}
	if extra := params[len(positional):]; len(extra) > 0 && !syntax.varargs {
		if len(extra) == 1 {
			return nil, unlessHelp(fail("Unmatched argument at index %d: '%s'", paramIndexes[len(positional)], extra[0]))
		}
		return nil, unlessHelp(fail("Unmatched arguments from index %d: '%s'", paramIndexes[len(positional)], strings.Join(extra, "', '")))
	}
	return params, nil
}
