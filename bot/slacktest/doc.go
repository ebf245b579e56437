// Package slacktest is a Slack workspace simulator for tests: one httptest server that
// speaks enough of the Slack Web API and of Socket Mode for the real slack-go client
// (and its socketmode package) to run against it unchanged.
//
// A test builds a workspace, points the code under test at it, acts as the people in
// it, and asserts what the bot did, in the order a user would see it:
//
//	sim := slacktest.New(t)
//	alice := sim.AddUser("alice")
//	bob := sim.AddUser("bob", slacktest.Admin())
//	tickets := sim.AddChannel("tickets", false, sim.Bot(), alice, bob)
//
//	api := slack.New(sim.BotToken, slack.OptionAPIURL(sim.APIURL()),
//		slack.OptionAppLevelToken(sim.AppToken))
//	go runTheBot(ctx, api, socketmode.New(api)) // the code under test
//
//	card := tickets.ExpectMessage("New chat", "Pending") // waits, then consumes it
//	alice.Click(card, "Pick")                           // block_actions over the socket
//	card.ExpectUpdate("Processing by")
//	inbox := sim.ExpectChannelCreated("chat-")
//	inbox.ExpectMember(alice)
//	bob.Click(card, "Pick")
//	bob.ExpectEphemeral("already picked")
//
// The Web API lives under APIURL (/api/<method>), one file per method. Every call is
// recorded (Calls), answers with Slack's response shapes and error codes, and can be
// made to fail (RateLimit, FailWith). A method the simulator does not know answers
// unknown_method and fails the test, so the bot cannot quietly depend on something the
// fake lacks.
// WithLatency (or SetLatency) makes every call slower, as a slow network would.
//
// Socket Mode: apps.connections.open (app token only) hands out a one-shot ws:// URL.
// The socket gets hello, PING frames, and envelopes round-robin over the open
// connections; acks are recorded with their latency (Acks, AckLatencies). Envelopes
// of a connection that drops before acking are redelivered, as Slack retries them.
// AckStats sums them up (late, overdue, dropped with their connection). WithRetryDelay
// sends the dropped ones again only once Slack's ack timeout has passed, as Slack does.
//
// The actors (User.Post, Reply, Share, ShareReply, Click, Shortcut, GlobalShortcut,
// OpenHome, ClickInHome, ClickInView, Submit) build the payloads Slack would send.
// Sim.ClickAtOnce is several users clicking one button at the same instant: every click
// is made from the message as it is, before the app can answer any of them.
// Interactive steps fail the test when the app does not ack within 3 s, Slack's own
// limit.
//
// Files: Share and ShareReply upload a file with a message (subtype file_share, the
// file in files). Its url_private and url_private_download point at the simulator
// (/files-pri/<team>-<file id>/[download/]<name>) and serve the bytes to
// "Authorization: Bearer <bot token>" (slack-go's GetFile) when the bot is in a
// conversation the file was shared in; anything else is redirected (302) to an HTML
// sign-in page, as Slack does. files.info hides the same files (file_not_found).
// FileDownloads counts the bytes served; Message.Files lists a message's files.
//
// Strictness: every message, thread reply, update, ephemeral, DM and opened modal the
// bot produces must be consumed by an Expect* call; at cleanup the simulator fails the
// test listing whatever was not (Ignore and DiscardUnexpected relax this), and any
// events_api envelope delivered but never acked. Expect* calls wait (5 s by default,
// WithTimeout) and must run on the test goroutine; actors may run on any goroutine.
// Text matching is by substring, case-sensitive, over the message text and every
// visible text in its blocks.
package slacktest
