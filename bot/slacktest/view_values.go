package slacktest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// toStrings reads a test's input value: a string, []string, *User, []*User, *Channel,
// []*Channel, []any of those, or anything fmt prints (numbers).
func toStrings(val any) ([]string, error) {
	switch v := val.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case time.Time:
		return []string{strconv.FormatInt(v.Unix(), 10)}, nil
	case []string:
		return v, nil
	case *User:
		return []string{v.ID}, nil
	case []*User:
		var out []string
		for _, u := range v {
			out = append(out, u.ID)
		}
		return out, nil
	case *Channel:
		return []string{v.ID}, nil
	case []*Channel:
		var out []string
		for _, c := range v {
			out = append(out, c.ID)
		}
		return out, nil
	case []any:
		var out []string
		for _, x := range v {
			xs, err := toStrings(x)
			if err != nil {
				return nil, err
			}
			out = append(out, xs...)
		}
		return out, nil
	case bool, int, int64, float64:
		return []string{fmt.Sprint(v)}, nil
	}
	return nil, fmt.Errorf("cannot use a %T as an input value", val)
}

// findOption finds an element's option by its text, then by its value.
func findOption(el element, text string) (obj, error) {
	opts := el.allOptions()
	for _, byValue := range []bool{false, true} {
		for _, o := range opts {
			if !byValue && o.Text.Text == text || byValue && o.Value == text {
				return optionJSON(o), nil
			}
		}
	}
	var have []string
	for _, o := range opts {
		have = append(have, fmt.Sprintf("%q", o.Text.Text))
	}
	return nil, fmt.Errorf("no option %q; options: %s", text, strings.Join(have, ", "))
}

func optionJSON(o option) obj {
	t := obj{"type": o.Text.Type, "text": o.Text.Text}
	if o.Text.Type == "plain_text" {
		t["emoji"] = true
	}
	return obj{"text": t, "value": o.Value}
}

func optionOrNil(o *option) any {
	if o == nil {
		return nil
	}
	return optionJSON(*o)
}

func optionsJSON(opts []option) []obj {
	out := []obj{}
	for _, o := range opts {
		out = append(out, optionJSON(o))
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// isEmpty reports whether an element state holds no value.
func isEmpty(st obj) bool {
	for k, v := range st {
		if k == "type" {
			continue
		}
		switch x := v.(type) {
		case nil:
		case string:
			if x != "" {
				return false
			}
		case []string:
			if len(x) > 0 {
				return false
			}
		case []obj:
			if len(x) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}
