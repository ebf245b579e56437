// Package setting holds what the connectors' Config.Validate methods share: a problem
// named after its environment variable, the variables set while their connector is off,
// and the checks several connectors make alike. No function here quotes a value: a
// setting may be a secret.
package setting

import (
	"errors"
	"fmt"
	"time"
)

// Named puts the variable's name before err ("CHATRA_RETRY_FOR: ..."); nil stays nil.
func Named(key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", key, err)
}

// Prefixed joins the problems in errs that are not nil, each as "<prefix>: <problem>"
// (a constructor's own check, "chatra: ..."); nil when there are none.
func Prefixed(prefix string, errs []error) error {
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, fmt.Errorf("%s: %w", prefix, err))
		}
	}
	return errors.Join(out...)
}

// Var is one environment variable and its value.
type Var struct{ Key, Value string }

// Stray reports each of vars that is set while on, the variable that turns connector
// (its name for people, "the Chatra connector") on, is not: the operator most likely
// meant to turn it on.
func Stray(on, connector string, vars ...Var) error {
	var errs []error
	for _, v := range vars {
		if v.Value != "" {
			errs = append(errs, fmt.Errorf("%s: is set but %s is not; set %s to turn %s on", v.Key, on, on, connector))
		}
	}
	return errors.Join(errs...)
}

// PositiveDuration refuses a duration of zero or less, such as a *_RETRY_FOR.
func PositiveDuration(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s is not a positive duration like 1h or 30m", d)
	}
	return nil
}

// Config is a connector's settings as its Connect sees them.
type Config interface {
	// Enabled reports whether the variable that turns the connector on is set.
	Enabled() bool
	// Validate reports every problem with the settings.
	Validate() error
}

// On reports whether Connect is to make the connector: false (and no error) when cfg is
// off, and cfg's problems when it is on but not valid.
func On(cfg Config) (bool, error) {
	if !cfg.Enabled() {
		return false, nil
	}
	return true, cfg.Validate()
}
