package main

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// processEnv fills spec, a pointer to a struct whose fields carry envconfig tags, from
// getenv, the way envconfig.Process fills it from the process environment.
//
// envconfig v1.4.0 reads only the real environment (os.LookupEnv; a pluggable lookup was
// proposed upstream in kelseyhightower/envconfig pull request #210, never merged). Going
// through it would tie run to the process environment, so tests could not hand run an
// environment of their own or run in parallel. processEnv keeps envconfig's declarations
// — the tags `envconfig` (the variable), `default` and `required`, and the
// envconfig.Decoder interface for types of our own — for the field types Frontdesk's
// settings use: string, bool, float64, time.Duration, []string (a comma-separated list,
// items trimmed, empty ones dropped), a pointer to one of these (nil when unset) and
// envconfig.Decoder. A field of struct type without a tag is a group of settings (a
// connector's Config) and is filled the same way, but when it has an Enabled method that
// reports false (the connector is off), its variables' problems are not reported. A
// field tagged `ignored:"true"` is left as it is. A value that does not decode is
// reported, and the field gets its default. It differs from Process in one way: an
// empty value counts as unset, because getenv cannot tell the two apart.
//
// It checks every field and joins the problems, each naming its variable. It puts no value
// into an error itself, so a secret cannot leak through one; a Decoder may quote the part
// of a value it rejects, so Decoders are for variables that hold no secret.
func processEnv(getenv func(string) string, spec any) error {
	v := reflect.ValueOf(spec)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return envconfig.ErrInvalidSpecification
	}
	return processStruct(getenv, v.Elem())
}

// processStruct fills the fields of v, a struct, as processEnv says.
func processStruct(getenv func(string) string, v reflect.Value) error {
	var errs []error
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Tag.Get("ignored") == "true" {
			continue // as envconfig: not a setting
		}
		key := f.Tag.Get("envconfig")
		if key == "" {
			if f.Type.Kind() == reflect.Struct && f.IsExported() {
				err := processStruct(getenv, v.Field(i))
				if g, ok := v.Field(i).Interface().(interface{ Enabled() bool }); ok && !g.Enabled() {
					// A connector that is off does not use its variables: one that
					// does not decode is no reason to stop (its Validate says which
					// must not be set alone).
					err = nil
				}
				errs = append(errs, err)
				continue
			}
			return fmt.Errorf("env: field %s has no envconfig tag", f.Name)
		}
		value := getenv(key)
		if value == "" {
			value = f.Tag.Get("default")
		}
		if value == "" {
			if f.Tag.Get("required") == "true" {
				errs = append(errs, fmt.Errorf("%s: required, not set", key))
			}
			continue
		}
		if err := setField(v.Field(i), value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
			if def := f.Tag.Get("default"); def != "" && def != value {
				// The default stands in, so that a check of the value that follows
				// (a positive duration) does not report the same variable again.
				_ = setField(v.Field(i), def)
			}
		}
	}
	return errors.Join(errs...)
}

// setField decodes value into field.
func setField(field reflect.Value, value string) error {
	if d, ok := field.Addr().Interface().(envconfig.Decoder); ok {
		return d.Decode(value)
	}
	switch {
	case field.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(strings.TrimSpace(value))
		if err != nil {
			return errors.New("is not a duration like 30s, 10m or 1h")
		}
		field.SetInt(int64(d))
	case field.Type() == reflect.TypeFor[[]string]():
		field.Set(reflect.ValueOf(slices.Collect(items(value))))
	case field.Kind() == reflect.Pointer:
		elem := reflect.New(field.Type().Elem())
		if err := setField(elem.Elem(), value); err != nil {
			return err
		}
		field.Set(elem)
	case field.Kind() == reflect.String:
		field.SetString(value)
	case field.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return errors.New("must be true or false")
		}
		field.SetBool(b)
	case field.Kind() == reflect.Int || field.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil || field.OverflowInt(n) {
			return errors.New("is not a whole number")
		}
		field.SetInt(n)
	case field.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return errors.New("is not a number")
		}
		field.SetFloat(f)
	default:
		return fmt.Errorf("env: unsupported field type %s", field.Type())
	}
	return nil
}
