// Package widget is Frontdesk's website chat: one <script> tag served at ScriptPath adds a
// chat bubble to any site; each visitor chats over a websocket as a source like the others
// (a new conversation opens a ticket, agent replies come back live).
//
// Enabling and mounting it (internal/app does this when WIDGET_SECRET is set):
//
//	c, err := widget.Connect(cfg, widget.Deps{Feed: feed, Log: log}) // feed: a widget.Feed (store.WidgetFeed)
//	sources[c.Name] = c.Source       // the tickets.Source of widget tickets (Deliver)
//	in, err := c.Inbound(svc)        // svc: *tickets.Service, made with the source above
//	for pattern, h := range in.Routes {
//		mux.Handle(pattern, h)       // GET /widget.js, POST and OPTIONS /widget/session, GET /widget/ws,
//		                             // POST /widget/files, GET /widget/files/{id}
//	}
//	go in.Runners[0](ctx)            // the one live subscription of this process; closes sockets on ctx's end
//
// A page embeds it with
//
//	<script src="https://desk.example.com/widget.js" async></script>
//
// and its origin must be in Config.AllowedOrigins. docs/widget.md has the protocol, the
// security model and the limits.
//
// A visitor is a random 128-bit id the server issues in a token signed with HMAC-SHA256
// (Config.Secret); the script keeps it in localStorage and presents it on every
// connection. The visitor id is the conversation id of their tickets. Everything a visitor
// sees (their own messages, agents' replies, notices) is an item of their Feed, an ordered
// log shared by every replica, so history survives a reload and a reconnect resumes where
// it stopped.
package widget

// Source is the name tickets of this connector carry (tickets.Ticket.Source).
const Source = "widget"

// The routes the widget serves (Go 1.22 patterns; see Widget.Routes).
const (
	ScriptPath  = "/widget.js"
	SessionPath = "/widget/session"
	SocketPath  = "/widget/ws"
	FilesPath   = "/widget/files"
)
