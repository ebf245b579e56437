package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
)

// controlResult is how one Live Chat Control use went.
type controlResult struct {
	shortcutAck time.Duration // the message shortcut's ack
	modal       time.Duration // shortcut → the modal open
	submitAck   time.Duration // the submission's ack (Frontdesk answers it once it acted)
	update      time.Duration // submit → the card's chat.update
}

// control has c's agent use Live Chat Control on msg, a message of theirs in the inbox
// channel: a transfer to the next team, or an end.
func (r *fdRun) control(c *chat, msg *slacktest.Message, transfer bool) (controlResult, error) {
	w := r.w
	var res controlResult
	// One modal at a time per person: a second shortcut would replace the first modal.
	unlock := w.lockAgent(c.agent.ID)
	defer unlock()
	start := time.Now()
	ack := c.agent.Shortcut(msg, "live_chat_control")
	if ack.EnvelopeID == "" {
		return res, fmt.Errorf("ticket #%d: the shortcut was not acked", c.ticket)
	}
	res.shortcutAck = ack.Latency
	var v *slacktest.View
	deadline := time.Now().Add(30 * time.Second)
	for v = c.agent.TopView(); v == nil; v = c.agent.TopView() {
		if time.Now().After(deadline) || aborted() {
			return res, fmt.Errorf("ticket #%d: Live Chat Control never opened", c.ticket)
		}
		time.Sleep(2 * time.Millisecond)
	}
	res.modal = time.Since(start)
	values := map[string]any{"lcc_action": "End the live chat", "lcc_reason": "solved"}
	want := "Closed by"
	if transfer {
		values = map[string]any{"lcc_action": "Transfer to another team", "lcc_team": teamLabels[(c.team+1)%len(teamLabels)]}
		want = "Transferred to"
	}
	updated := w.tail.watchUpdate(c.card.msg.Channel.ID, c.card.msg.TS, want)
	start = time.Now()
	ack = c.agent.Submit(v, values)
	if ack.EnvelopeID == "" {
		return res, fmt.Errorf("ticket #%d: the submission was not acked", c.ticket)
	}
	if errs := ack.Errors(); len(errs) > 0 {
		return res, fmt.Errorf("ticket #%d: Live Chat Control refused %v: %v", c.ticket, values, errs)
	}
	res.submitAck = ack.Latency
	select {
	case at := <-updated:
		res.update = at.Sub(start)
	case <-stopping:
		return res, errors.New("interrupted")
	case <-time.After(30 * time.Second):
		return res, fmt.Errorf("ticket #%d: the card never said %q", c.ticket, want)
	}
	return res, nil
}

// controlMessages has each chat's agent write a message to use Live Chat Control on, and
// waits until they are relayed.
func (r *fdRun) controlMessages(chats []*chat) []*slacktest.Message {
	msgs := make([]*slacktest.Message, len(chats))
	for i, c := range chats {
		msgs[i] = c.agent.Post(c.inbox, "Let me hand this over")
	}
	r.w.quiesce(10 * time.Second)
	return msgs
}

func (r *fdRun) controlAll(chats []*chat, msgs []*slacktest.Message, transfer bool, conc int) ([]controlResult, error) {
	res := make([]controlResult, len(chats))
	err := inParallel(len(chats), conc, func(i int) error {
		var err error
		res[i], err = r.control(chats[i], msgs[i], transfer)
		return err
	})
	return res, err
}
