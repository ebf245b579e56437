package main

import (
	"context"
	"sync"
	"time"
)

// background offers rate messages/s in direction d on a copy of tg until stop is called,
// which returns how many were sent.
func background(ctx context.Context, tg *target, d direction, rate float64) (stop func() int) {
	cp := *tg
	done := make(chan struct{})
	var sent int
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			st := runStep(ctx, &cp, d, rate, time.Second, 0, false)
			sent += st.Sent
			select {
			case <-done:
				return
			default:
			}
			if ctx.Err() != nil {
				return
			}
		}
	})
	return func() int {
		close(done)
		wg.Wait()
		return sent
	}
}

// interactions times picks and Live Chat Control (transfers, ends) while Frontdesk relays
// at a quarter of its saturation rate in each direction.
func (r *fdRun) interactions(ctx context.Context) error {
	cfg, w := r.cfg, r.w
	need := cfg.picks + 2*cfg.controls
	pending, err := w.openTickets(ctx, r.addr, need, 32)
	if err != nil {
		return err
	}
	if err := w.waitCards(pending, 60*time.Second); err != nil {
		return err
	}
	r.open += len(pending)
	// The chats for Live Chat Control are picked first, out of the timed picks.
	ctl := pending[cfg.picks:]
	if _, err := w.pickAll(ctl, 16, 60*time.Second); err != nil {
		return err
	}
	msgs := r.controlMessages(ctl)
	rates := map[direction]float64{toSlack: r.cfg.start, toCustomer: r.cfg.start}
	for _, cv := range r.rep.Frontdesk {
		rates[cv.Dir] = cv.Saturation / 4
	}
	logf("interactions: %d picks, %d transfers, %d ends, while relaying %.0f/s customer → Slack and %.0f/s Slack → customer",
		cfg.picks, cfg.controls, cfg.controls, rates[toSlack], rates[toCustomer])
	r.rep.InteractionLoad = [2]float64{rates[toSlack], rates[toCustomer]}
	stop1 := background(ctx, r.tg, toSlack, rates[toSlack])
	stop2 := background(ctx, r.tg, toCustomer, rates[toCustomer])
	defer func() { stop1(); stop2() }()
	time.Sleep(time.Second)

	// Picks: one every 50ms, each clicked by the next agent.
	var wg sync.WaitGroup
	picks := make([]pickResult, cfg.picks)
	errs := make(chan error, cfg.picks+2*cfg.controls)
	for i, c := range pending[:cfg.picks] {
		wg.Go(func() {
			var err error
			if picks[i], err = w.pick(c, w.agents[i%len(w.agents)], 60*time.Second); err != nil {
				errs <- err
			}
		})
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	// Transfers and ends: one every 100ms.
	transfers := make([]controlResult, cfg.controls)
	ends := make([]controlResult, cfg.controls)
	for i := range cfg.controls {
		wg.Go(func() {
			var err error
			if transfers[i], err = r.control(ctl[i], msgs[i], true); err != nil {
				errs <- err
			}
		})
		time.Sleep(50 * time.Millisecond)
		wg.Go(func() {
			var err error
			if ends[i], err = r.control(ctl[cfg.controls+i], msgs[cfg.controls+i], false); err != nil {
				errs <- err
			}
		})
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	r.open -= cfg.controls
	var it interactions
	for _, p := range picks {
		it.PickAck = append(it.PickAck, p.ack)
		it.PickUpdate = append(it.PickUpdate, p.update)
	}
	for _, set := range [][]controlResult{transfers, ends} {
		for _, c := range set {
			it.ShortcutAck = append(it.ShortcutAck, c.shortcutAck)
			it.Modal = append(it.Modal, c.modal)
		}
	}
	for _, c := range transfers {
		it.TransferAck = append(it.TransferAck, c.submitAck)
		it.TransferUpdate = append(it.TransferUpdate, c.update)
	}
	for _, c := range ends {
		it.EndAck = append(it.EndAck, c.submitAck)
		it.EndUpdate = append(it.EndUpdate, c.update)
	}
	r.rep.Interactions = it
	logf("  pick ack p50 %s p99 %s, card update p50 %s p99 %s; transfer ack p99 %s, card p99 %s; end ack p99 %s, card p99 %s",
		ms(q(it.PickAck, .5)), ms(q(it.PickAck, .99)), ms(q(it.PickUpdate, .5)), ms(q(it.PickUpdate, .99)),
		ms(q(it.TransferAck, .99)), ms(q(it.TransferUpdate, .99)), ms(q(it.EndAck, .99)), ms(q(it.EndUpdate, .99)))
	return nil
}

// interactions are the timed interactions' figures.
type interactions struct {
	PickAck, PickUpdate         []time.Duration
	ShortcutAck, Modal          []time.Duration
	TransferAck, TransferUpdate []time.Duration
	EndAck, EndUpdate           []time.Duration
}

// q is the q-quantile of ds.
func q(ds []time.Duration, quant float64) time.Duration {
	p50, p99, mx := quantiles(ds)
	switch quant {
	case .5:
		return p50
	case .99:
		return p99
	default:
		return mx
	}
}
