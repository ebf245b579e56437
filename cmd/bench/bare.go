package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// runBare measures the bare transport in both directions, in a workspace of its own.
func (b *bench) runBare(ctx context.Context) error {
	cfg := b.cfg
	logf("bare transport: %d channels, %d agents", cfg.chats, cfg.agents)
	w, err := newWorld(b.dir, cfg.agents, []string{"Support"})
	if err != nil {
		return err
	}
	defer w.close()
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	p, err := startProc(b.dir, "bare", "bare", b.bareBin, nil, map[string]string{
		"SLACK_API_URL": w.sim.APIURL(), "SLACK_BOT_TOKEN": w.sim.BotToken, "SLACK_APP_TOKEN": w.sim.AppToken,
		"HTTP_ADDR": addr, "BARE_TOKEN": hookToken, "BARE_CALLBACK_URL": w.bot.url, "BARE_SIGNING_SECRET": hookSecret,
	})
	if err != nil {
		return err
	}
	p.addr = addr
	defer p.stop(5 * time.Second)
	if err := p.waitReady(30 * time.Second); err != nil {
		return err
	}
	chats := make([]*chat, cfg.chats)
	for i := range chats {
		agent := w.agents[i%len(w.agents)]
		chats[i] = &chat{agent: agent, inbox: w.sim.AddChannel(fmt.Sprintf("bare-%d", i), true, w.sim.Bot(), agent)}
	}
	url := "http://" + addr + "/events"
	tg := &target{name: "bare transport", w: w, chats: chats, procs: []counted{p.counted()},
		send: func(ctx context.Context, c *chat, seq int) error {
			status, _, err := w.post(ctx, url, hookToken, map[string]any{
				"slack_channel": c.inbox.ID, "name": "Customer", "text": custMark + strconv.Itoa(seq) + filler,
			})
			if err != nil || status != http.StatusAccepted {
				return errRefused
			}
			return nil
		}}
	search := cfg
	search.start = cfg.bareFrom
	for _, d := range []direction{toSlack, toCustomer} {
		cv := measure(ctx, tg, d, search, cfg.bareMax, logf)
		b.rep.Bare = append(b.rep.Bare, cv)
		w.tail.forget()
	}
	b.rep.problems("bare transport's simulator", w.sim.Problems())
	return ctx.Err()
}
