package vitallytest

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// checkTraits returns what is wrong with traits sent for an instance of the custom
// object objID: a key that is not the path of one of its custom fields, or a value of
// the wrong type for the field. null is right for every field. s.mu is held.
func (s *Server) checkTraits(objID string, traits map[string]any) error {
	types := map[string]string{}
	for _, f := range s.fields {
		if f.Model == ModelCustomObjects && f.CustomObjectID == objID {
			types[f.Path] = f.Type
		}
	}
	for _, key := range sortedKeys(traits) {
		typ, ok := types[key]
		if !ok {
			return fmt.Errorf("unknown trait %s", key)
		}
		if v := traits[key]; v != nil && !fitsType(v, typ) {
			return fmt.Errorf("trait %s must be a %s, not %s", key, typ, describe(v))
		}
	}
	return nil
}

// fitsType reports whether the decoded JSON value v is right for a field of type typ.
func fitsType(v any, typ string) bool {
	switch typ {
	case TypeString, TypeTextarea:
		_, ok := v.(string)
		return ok
	case TypeDatetime:
		str, ok := v.(string)
		if !ok {
			return false
		}
		_, err := time.Parse(time.RFC3339, str)
		return err == nil
	case TypeNumber:
		_, ok := v.(float64)
		return ok
	case TypeBoolean:
		_, ok := v.(bool)
		return ok
	default:
		return false
	}
}

// describe names the JSON type of the decoded JSON value v, for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("string %q", v)
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// mergeTraits merges update into traits: a null value deletes its key, any other
// value replaces it.
func mergeTraits(traits, update map[string]any) {
	for k, v := range update {
		if v == nil {
			delete(traits, k)
		} else {
			traits[k] = cloneValue(v)
		}
	}
}

// lowerCamel turns a label into lower camel case: its words, split at anything but
// letters and digits, lower-cased and joined with each word after the first
// capitalised ("Request Closed At" gives "requestClosedAt").
func lowerCamel(label string) string {
	words := strings.FieldsFunc(label, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	for i, word := range words {
		word = strings.ToLower(word)
		if i > 0 {
			r := []rune(word)
			r[0] = unicode.ToUpper(r[0])
			word = string(r)
		}
		b.WriteString(word)
	}
	return b.String()
}
