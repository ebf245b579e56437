package bot

// Callback and action ids. The shortcut callback ids must match manifest.yaml (a test in
// cmd/frontdesk checks it); the others are ours alone.
const (
	// ShortcutControl is the Live Chat Control message shortcut.
	ShortcutControl = "live_chat_control"
	// ShortcutAdmin is the global shortcut that opens the admin panel.
	ShortcutAdmin = "frontdesk_admin"
	// ShortcutSavedReply is the message shortcut that sends a saved reply in an inbox
	// channel; CommandFrontdesk (its "reply" form) does the same.
	ShortcutSavedReply = "saved_reply"
	// ShortcutCreateTicket is the message shortcut that makes a customer channel's
	// message a request (customerchannel.go).
	ShortcutCreateTicket = "create_ticket"
	// CommandFrontdesk is the slash command (manifest.yaml): "/frontdesk reply" picks a
	// saved reply, "/frontdesk help" says what it does.
	CommandFrontdesk = "/frontdesk"

	// ActionPick is the Pick button on a ticket card; its value is the ticket id.
	ActionPick = "ticket_pick"
	// ActionOpenAdmin is the App Home button that opens the admin panel.
	ActionOpenAdmin = "admin_open"
	// ActionRetry sends an agent message that could not be delivered again; its value is
	// "<ticket id> <message id>".
	ActionRetry = "delivery_retry"
	// ActionAddTeam adds a row of ticketing channel and label to the admin panel.
	ActionAddTeam = "admin_add_team"
	// ActionEditSLA pushes a team's SLA modal from the admin panel; its value is the
	// team's channel.
	ActionEditSLA = "admin_edit_sla"
	// ActionRemoveTeam removes a row from the admin panel; its value is the row number.
	ActionRemoveTeam = "admin_remove_team"
	// ActionConnectChannel takes a shared channel's requests for a team (the offer the
	// app sends whoever invites it to one); its value is "<channel> <team's channel>".
	ActionConnectChannel = "connect_channel"

	// ActionRate is a rating button under the rating question in a customer channel's
	// request thread ("thread_rate:4"); its value is the rating, 1 to 5.
	ActionRate = "thread_rate"

	// ActionDetails opens a ticket's details modal (from its card or Live Chat Control);
	// its value is the ticket id.
	ActionDetails = "ticket_details"

	// ViewControl, ViewAdmin and ViewDetails are the callback ids of the modals.
	ViewControl = "live_chat_control_modal"
	ViewAdmin   = "admin_panel"
	ViewDetails = "ticket_details_modal"
	// ViewReplyPick and ViewReplySend are the saved reply modal's two steps: pick a reply,
	// then change it if need be and send it.
	ViewReplyPick = "saved_reply_pick"
	ViewReplySend = "saved_reply_send"
	// ViewSLA is a team's SLA modal, pushed from the admin panel.
	ViewSLA = "sla_policy"
	// ViewNotice is a modal that only tells the user something (e.g. "only admins").
	ViewNotice = "notice"
)

// Block and action ids inside the modals, read back on submission.
const (
	blockAction     = "lcc_action"
	blockTeam       = "lcc_team"
	blockReason     = "lcc_reason"
	optTransfer     = "transfer"
	optEnd          = "end"
	optHandBack     = "handback"
	optWaiting      = "waiting"
	optHold         = "on_hold"
	optActive       = "active"
	blockWake       = "lcc_wake"
	blockPriority   = "admin_priority"
	blockShowName   = "admin_show_name"
	blockPicked     = "admin_tpl_picked"
	blockTransfer   = "admin_tpl_transfer"
	blockEnded      = "admin_tpl_ended"
	blockRating     = "admin_tpl_rating"
	blockCategories = "admin_categories"
	blockReplies    = "admin_saved_replies"
	blockCustomers  = "admin_customer_channels"
	blockGreetings  = "admin_greetings"
	blockReactPick  = "admin_reaction_picked"
	blockReactClose = "admin_reaction_closed"
	blockRate       = "thread_rating" // the rating buttons in a request's thread
	blockRated      = "thread_rated"  // under them, the rating given
	blockReplyPick  = "reply_pick"
	blockReplyText  = "reply_text"
	blockTitle      = "details_title"
	blockUrgency    = "details_urgency"
	blockTags       = "details_tags"
	categoryBlock   = "details_category_" // + the category's place in the modal
	optUnset        = "unset"
	teamChannel     = "admin_team_channel_" // + row number
	teamLabel       = "admin_team_label_"   // + row number
	inputAction     = "value"               // the action id of every input element
)

// metadataType marks the bot's own posts: their metadata carries the outbox key the post
// was made for, so that a retried post can find an earlier success instead of posting twice.
const metadataType = "frontdesk_post"

// Scopes are the bot token scopes the code uses, and why; manifest.yaml must ask for
// exactly these (cmd/frontdesk's manifest test checks it).
var Scopes = map[string]string{
	"app_mentions:read":    "app_mention events: @frontdesk answers what a channel is to Frontdesk",
	"channels:history":     "conversations.history of ticketing channels: a retried card post looks for an earlier one; message.channels: customer channels' messages",
	"channels:manage":      "conversations.create of the default ticketing channels on a first start",
	"channels:read":        "conversations.info: the admin panel checks a ticketing channel has the app",
	"chat:write":           "chat.postMessage, chat.update, chat.postEphemeral",
	"chat:write.customize": "customer messages in inbox channels appear under the customer's name",
	"commands":             "the Live Chat Control, saved reply and admin shortcuts, and the /frontdesk command",
	"files:read":           "files.info and file downloads: customers open agents' files through Frontdesk's links",
	"groups:history":       "message events in private inbox channels, and conversations.history there",
	"groups:read":          "conversations.info and conversations.list of private channels",
	"groups:write":         "create, invite to, set the purpose and topic of, and archive inbox channels",
	"im:history":           "conversations.history of the priority group's direct messages, for retried posts",
	"im:write":             "conversations.open: the priority group gets each new ticket as a direct message",
	"reactions:read":       "reaction_added: a 🎫 makes a customer channel's message a request",
	"reactions:write":      "reactions.add, reactions.remove: delivery marks on agents' messages; a customer channel's request picked, ended, reopened",
	"team:read":            "team.info: the name of a customer's organisation in a shared channel",
	"users:read":           "users.info: agents' names, admins and guests",
	"users:read.email":     "agents' emails, for sources that name agents by email (Chatra); requesters' in customer channels, where Slack shows them",
}

// Events are the bot events the code handles; manifest.yaml subscribes to exactly these.
var Events = []string{"app_home_opened", "app_mention", "member_joined_channel", "message.channels", "message.groups", "reaction_added"}
