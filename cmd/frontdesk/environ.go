package main

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"

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
// envconfig.Decoder interface for types of our own — for the only field types the env
// struct uses: string, bool and envconfig.Decoder. It differs from Process in one way: an
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
	v = v.Elem()
	var errs []error
	for i := range v.NumField() {
		f := v.Type().Field(i)
		key := f.Tag.Get("envconfig")
		if key == "" {
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
		}
	}
	return errors.Join(errs...)
}

// setField decodes value into field.
func setField(field reflect.Value, value string) error {
	if d, ok := field.Addr().Interface().(envconfig.Decoder); ok {
		return d.Decode(value)
	}
	switch field.Kind() {
	case reflect.String:
		field.SetString(value)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return errors.New("must be true or false")
		}
		field.SetBool(b)
	default:
		return fmt.Errorf("env: unsupported field type %s", field.Type())
	}
	return nil
}
