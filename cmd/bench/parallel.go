package main

import "sync"

// inParallel runs f(0) … f(n-1), conc at a time, and returns the first error any of them
// returned, once all are done.
func inParallel(n, conc int, f func(i int) error) error {
	errs := make(chan error, n)
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(i); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
