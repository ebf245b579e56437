package slacktest

// upload is a file a user attaches to a message.
type upload struct {
	name, mime string
	content    []byte
}

// Share is the user uploading a file to the channel in the Slack client, with text as
// its message (may be empty): a top-level message with subtype file_share and the file
// in files, delivered to the app if the bot is in the channel. mime may be empty (then
// guessed from the name). The file's url_private serves content to the bot token.
func (u *User) Share(ch *Channel, text, name, mime string, content []byte) *Message {
	u.sim.t.Helper()
	return u.post(ch, "", text, &upload{name: name, mime: mime, content: content})
}

// ShareReply is the user uploading a file in the thread of parent.
func (u *User) ShareReply(parent *Message, text, name, mime string, content []byte) *Message {
	u.sim.t.Helper()
	return u.post(parent.Channel, parent.TS, text, &upload{name: name, mime: mime, content: content})
}
